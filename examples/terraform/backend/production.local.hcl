# Backend settings for production (see staging.local.hcl).
path = "state/production.tfstate"
