# Production settings of the example `shop` service: the same shape as staging.tfvars,
# with production's sizes. Keep every name and nested key in both files.

environment      = "production"
service_name     = "shop"
postgres_version = "16.4"
container_port   = 8080

task_size     = { cpu = 1024, memory = 2048 }
desired_count = 3

autoscaling = {
  min_tasks          = 3
  max_tasks          = 12
  target_cpu_percent = 60
}

log_retention_days = 90

alarms = {
  cpu-high    = { metric = "CPUUtilization", threshold = 80, evaluation_periods = 3 }
  http-5xx    = { metric = "HTTPCode_Target_5XX_Count", threshold = 10, evaluation_periods = 2 }
  memory-high = { metric = "MemoryUtilization", threshold = 85, evaluation_periods = 3 }
}

feature_toggles = {
  new-checkout   = true
  dark-mode      = true
  search-suggest = false
}

database_password_version = 3
