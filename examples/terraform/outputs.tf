output "cluster_name" {
  description = "ECS cluster for deploy-ecs and rollback (`cluster` input)."
  value       = terraform_data.cluster.output.name
}

output "service_name" {
  description = "ECS service for deploy-ecs and rollback (`service` input)."
  value       = terraform_data.service.output.name
}

output "task_family" {
  value = terraform_data.task_definition.output.family
}

output "log_group" {
  value = terraform_data.log_group.output.name
}

output "base_url" {
  description = "Where smoke-test sends its checks."
  value       = "https://${local.domain}"
}

output "scaling" {
  value = var.autoscaling == null ? { min = var.desired_count, max = var.desired_count } : { min = var.autoscaling.min_tasks, max = var.autoscaling.max_tasks }
}

output "database_url" {
  description = "Connection string with the generated password; sensitive, so gantry masks it and never prints it."
  value       = "postgres://${terraform_data.database_credentials.output.username}:${local.database_password}@db.${local.domain}:5432/${var.service_name}"
  sensitive   = true
}
