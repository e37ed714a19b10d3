output "s3_prefix_list_id" {
  description = "ID of S3's managed prefix list in the region (pl-xxxxxxxx), which the gateway endpoint routes: use it as destination of security group egress rules to S3 instead of an open CIDR."
  value       = data.aws_prefix_list.s3.id
}

output "endpoint_security_group_id" {
  description = "ID of the security group of the interface endpoints (TCP 443 in from client_security_group_ids only). Clients need egress TCP 443 to it."
  value       = aws_security_group.endpoints.id
}

output "endpoint_ids" {
  description = "IDs of the VPC endpoints this module created by service: \"s3\" (gateway, when create_s3_gateway_endpoint) and each of interface_endpoint_services."
  value       = merge({ for endpoint in aws_vpc_endpoint.s3 : "s3" => endpoint.id }, { for service, endpoint in aws_vpc_endpoint.interface : service => endpoint.id })
}
