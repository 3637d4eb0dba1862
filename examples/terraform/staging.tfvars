environment      = "staging"
image_repository = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop"
task_size        = { cpu = 256, memory = 512 }
desired_count    = 1

log_retention_days = 14

alarms = {
  cpu-high = { metric = "CPUUtilization", threshold = 90, evaluation_periods = 3 }
}

feature_toggles = {
  new-checkout   = true
  dark-mode      = true
  search-suggest = false
}
