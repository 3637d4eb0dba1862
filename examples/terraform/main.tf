locals {
  name      = "${var.service_name}-${var.environment}"
  log_group = "/ecs/${local.name}"
  domain    = var.environment == "production" ? "shop.example.com" : "${var.environment}.shop.example.com"
  # Every deploy must be able to roll back: keep the circuit breaker on and never run below
  # the desired count while a new revision starts.
  deployment = {
    circuit_breaker         = { enable = true, rollback = true }
    minimum_healthy_percent = 100
    maximum_percent         = 200
  }
  tags = {
    "gantry:environment" = var.environment
    "gantry:service"     = var.service_name
    "managed-by"         = "terraform"
  }
}

# aws_ecs_cluster
resource "terraform_data" "cluster" {
  input = {
    name               = local.name
    container_insights = var.environment == "production" ? "enhanced" : "enabled"
    tags               = local.tags
  }
}

# aws_cloudwatch_log_group
resource "terraform_data" "log_group" {
  input = {
    name              = local.log_group
    retention_in_days = var.log_retention_days
    tags              = local.tags
  }
}

# aws_ecs_task_definition (the bootstrap revision; deploy-ecs registers the real ones). The family is
# the service name, as in ../task-definition.json: deploy-ecs registers its revisions in the family of
# the file it deploys, and rollback reads the history of that family — one family, whatever the
# environment (the environments are separate accounts).
resource "terraform_data" "task_definition" {
  input = {
    family        = var.service_name
    cpu           = var.task_size.cpu
    memory        = var.task_size.memory
    image         = "${var.image_repository}:bootstrap"
    port          = var.container_port
    log_group     = terraform_data.log_group.output.name
    launch_type   = "FARGATE"
    network_mode  = "awsvpc"
    feature_flags = var.feature_toggles
  }
}

# aws_ecs_service. With the AWS provider the service MUST ignore the task definition deploy-ecs sets:
# deploy.yml applies Terraform before every deploy, and without this every apply would put the service
# back on Terraform's bootstrap revision (and a rollback would be undone by the next apply):
#   lifecycle {
#     ignore_changes = [task_definition]
#   }
# (add desired_count too when autoscaling changes it).
resource "terraform_data" "service" {
  input = {
    name                    = var.service_name
    cluster                 = terraform_data.cluster.output.name
    task_definition_family  = terraform_data.task_definition.output.family
    desired_count           = var.desired_count
    circuit_breaker         = local.deployment.circuit_breaker
    minimum_healthy_percent = local.deployment.minimum_healthy_percent
    maximum_percent         = local.deployment.maximum_percent
    health_check_grace      = 60
    enable_execute_command  = var.environment != "production"
    tags                    = local.tags
  }
  # As with the AWS provider: a new name or load-balancer port means a new service.
  triggers_replace = [var.service_name, var.container_port]
}

# aws_appautoscaling_target + aws_appautoscaling_policy (target tracking on CPU)
resource "terraform_data" "autoscaling" {
  count = var.autoscaling == null ? 0 : 1
  input = {
    resource_id        = "service/${terraform_data.cluster.output.name}/${terraform_data.service.output.name}"
    min_capacity       = var.autoscaling.min_tasks
    max_capacity       = var.autoscaling.max_tasks
    target_cpu_percent = var.autoscaling.target_cpu_percent
  }
}

# aws_cloudwatch_metric_alarm, one per entry
resource "terraform_data" "alarm" {
  for_each = var.alarms
  input = merge(each.value, {
    name    = "${local.name}-${each.key}"
    service = terraform_data.service.output.name
  })
}

# aws_secretsmanager_secret_version holding the generated database password (random_password
# in a real configuration). Here the password is derived from the random id terraform_data
# generates, so it never appears in a log; bumping database_password_version replaces the
# credential, which is how a rotation shows up in a plan.
resource "terraform_data" "database_credentials" {
  input = {
    username = replace(local.name, "-", "_")
    version  = var.database_password_version
  }
  triggers_replace = [var.database_password_version]
}

locals {
  database_password = substr(sha256("${terraform_data.database_credentials.id}/${var.environment}"), 0, 32)
}

check "production_is_redundant" {
  assert {
    condition     = var.environment != "production" || var.desired_count >= 2
    error_message = "production should run at least 2 tasks so one task failing does not take the service down."
  }
}
