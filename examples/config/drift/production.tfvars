# A production file that has drifted from ../staging.tfvars ON PURPOSE, for the demo and the
# tests: every kind of variable finding parity-check reports, each on its own line.

environment      = "production"
service_name     = "shop"
postgres_version = "15.7"                                                     # values-must-match
container_port   = "8080"                                                     # type-mismatch: string, not number

task_size     = { cpu = 1024, memory = 2048 }
desired_count = 3

autoscaling = {
  min_tasks = 3
  max_tasks = 12
  # target_cpu_percent is missing: nested key missing in production
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

# database_password_version is missing: a variable set in staging only.

debug_endpoints = true # a variable set in production only
