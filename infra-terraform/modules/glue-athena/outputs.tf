output "database_names" {
  description = "Names of the Glue databases, in the order of var.databases."
  value       = [for name in var.databases : aws_glue_catalog_database.this[name].name]
}

output "database_arns" {
  description = "ARNs of the Glue databases, by database name."
  value       = { for name, database in aws_glue_catalog_database.this : name => database.arn }
}

output "workgroup_name" {
  description = "Name of the Athena workgroup (its settings are enforced on every query)."
  value       = aws_athena_workgroup.this.name
}

output "workgroup_arn" {
  description = "ARN of the Athena workgroup (for athena:StartQueryExecution and related IAM permissions)."
  value       = aws_athena_workgroup.this.arn
}
