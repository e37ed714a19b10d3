output "s3_prefix_list_id" {
  description = "ID of the S3 prefix list of the gateway endpoint (pl-xxxxxxxx): use it as destination of security group egress rules to S3 instead of an open CIDR."
  value       = aws_vpc_endpoint.s3.prefix_list_id
}

output "endpoint_security_group_id" {
  description = "ID of the security group of the interface endpoints (TCP 443 in from client_security_group_ids only). Clients need egress TCP 443 to it."
  value       = aws_security_group.endpoints.id
}

output "endpoint_ids" {
  description = "IDs of the VPC endpoints by service: \"s3\" (gateway) and each of interface_endpoint_services."
  value       = merge({ s3 = aws_vpc_endpoint.s3.id }, { for service, endpoint in aws_vpc_endpoint.interface : service => endpoint.id })
}
