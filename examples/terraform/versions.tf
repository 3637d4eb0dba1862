# The example service's infrastructure, written so it plans and applies anywhere: every
# resource is Terraform's built-in `terraform_data`, which records its `input` in the state
# the way the AWS provider's resources would record the real ECS objects. A real deployment
# swaps each `terraform_data` for the aws_* resource named in its comment; the variables,
# per-environment tfvars and outputs stay the same.
terraform {
  required_version = ">= 1.6"

  # Local state keeps the example self-contained (the gantry demo plans and applies it on a
  # laptop). Real environments use the S3 backend, with per-environment settings passed
  # through the terraform action's `backend-config` input, e.g.
  #   backend "s3" {}            +  backend-config: backend/staging.s3.hcl
  # The local backend takes `path=state/staging.tfstate` the same way.
  backend "local" {}
}
