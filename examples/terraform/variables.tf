variable "environment" {
  description = "Deployment environment: staging or production."
  type        = string
  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be \"staging\" or \"production\"."
  }
}

variable "service_name" {
  description = "ECS service (and task definition family) name, without the environment suffix."
  type        = string
  default     = "shop"
}

variable "image_repository" {
  description = "Container image repository; deploy-ecs sets the tag (the git SHA) at deploy time."
  type        = string
}

variable "task_size" {
  description = "Fargate task size. Only the CPU/memory pairs Fargate accepts are allowed."
  type = object({
    cpu    = number
    memory = number
  })
  validation {
    condition = contains([
      "256/512", "256/1024", "256/2048",
      "512/1024", "512/2048", "512/3072", "512/4096",
      "1024/2048", "1024/3072", "1024/4096", "1024/8192",
      "2048/4096", "2048/8192", "2048/16384",
    ], "${var.task_size.cpu}/${var.task_size.memory}")
    error_message = "task_size must be a Fargate CPU/memory combination, e.g. { cpu = 512, memory = 1024 }."
  }
}

variable "desired_count" {
  description = "Tasks the service runs when autoscaling is off (and its starting point when on)."
  type        = number
  validation {
    condition     = var.desired_count >= 1 && floor(var.desired_count) == var.desired_count
    error_message = "desired_count must be a whole number of at least 1."
  }
}

variable "container_port" {
  description = "Port the container listens on. Changing it re-creates the service (the load balancer binding cannot be updated in place)."
  type        = number
  default     = 8080
}

variable "autoscaling" {
  description = "Target-tracking autoscaling on average CPU; null turns it off."
  type = object({
    min_tasks          = number
    max_tasks          = number
    target_cpu_percent = number
  })
  default = null
}

variable "alarms" {
  description = "CloudWatch alarms by name: metric, threshold and evaluation periods."
  type = map(object({
    metric             = string
    threshold          = number
    evaluation_periods = number
  }))
  default = {}
}

variable "log_retention_days" {
  description = "How long the service's CloudWatch logs are kept."
  type        = number
  default     = 30
}

variable "feature_toggles" {
  description = "Feature toggles published to the service's configuration (parity-check compares them between environments)."
  type        = map(bool)
  default     = {}
}

variable "database_password_version" {
  description = "Bump to rotate the database password: the credential is replaced (destroyed and re-created)."
  type        = number
  default     = 1
}
