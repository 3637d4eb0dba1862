# Staging settings of the example `shop` service (variables declared in examples/terraform/variables.tf).
# parity-check compares this file with production.tfvars: same names, same nested keys, same
# types; values may differ except those listed in values-must-match (see README.md).

environment      = "staging"
service_name     = "shop"
postgres_version = "16.4"
container_port   = 8080

task_size     = { cpu = 256, memory = 512 }
desired_count = 1

autoscaling = {
  min_tasks          = 1
  max_tasks          = 2
  target_cpu_percent = 70
}

log_retention_days = 14

alarms = {
  cpu-high    = { metric = "CPUUtilization", threshold = 90, evaluation_periods = 3 }
  http-5xx    = { metric = "HTTPCode_Target_5XX_Count", threshold = 25, evaluation_periods = 2 }
  memory-high = { metric = "MemoryUtilization", threshold = 90, evaluation_periods = 3 }
}

# Toggles baked into the service's configuration; the live manifest is staging.toggles.json.
feature_toggles = {
  new-checkout   = true
  dark-mode      = true
  search-suggest = false
}

database_password_version = 1
