# Baton's whole AWS data path in one root module, in an existing VPC (private subnets, no NAT) and an existing EKS
# cluster: buckets and their key, S3 -> EventBridge -> SQS, MSK with IAM auth, the event connector on MSK Connect,
# Glue databases and an Athena workgroup, IRSA roles and service accounts for the controller and Spark, an EMR
# Serverless application (optionally an EMR on EKS virtual cluster), the controller Deployment, Aurora PostgreSQL
# for CDC (optionally the Debezium Oracle source and JDBC sink on MSK Connect), and the VPC endpoints everything
# reaches AWS through.

data "aws_partition" "current" {}

locals {
  namespace            = "baton"
  artifacts_bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${var.artifacts_bucket_name}"
  artifact_object_arns = [
    "${local.artifacts_bucket_arn}/${var.stage_runner_jar_key}",
    "${local.artifacts_bucket_arn}/${var.stage_config_key}",
  ]
  # the security groups allowed to reach MSK, the VPC endpoints and Aurora
  kafka_clients = concat([var.eks_pod_security_group_id, aws_security_group.connect.id, aws_security_group.emr_serverless.id],
  aws_security_group.cdc[*].id)
  endpoint_clients = local.kafka_clients
  database_clients = concat([var.eks_pod_security_group_id], aws_security_group.cdc[*].id)
  # the Aurora database the CDC sink writes into
  cdc_database = "baton_cdc"
  # the workers that reach MSK, the VPC endpoints and S3
  aws_clients = merge({ connect = aws_security_group.connect.id, emr_serverless = aws_security_group.emr_serverless.id },
  var.cdc_enabled ? { cdc = aws_security_group.cdc[0].id } : {})
  # MSK provisioned needs at least 3 brokers: 1 per subnet from 3 subnets, 2 per subnet with 2
  brokers_per_subnet = length(var.private_subnet_ids) >= 3 ? 1 : 2
  pipelines_dir      = coalesce(var.pipelines_dir, "${path.module}/../../../examples/pipelines")
}

################################################################################
# Security groups of the workloads this configuration creates (EKS pods bring their own)
################################################################################

resource "aws_security_group" "connect" {
  name        = "${var.name_prefix}-connect"
  description = "MSK Connect workers of the Baton event connector"
  vpc_id      = var.vpc_id
}

resource "aws_security_group" "emr_serverless" {
  name        = "${var.name_prefix}-emr-serverless"
  description = "EMR Serverless jobs of Baton's stages"
  vpc_id      = var.vpc_id
}

resource "aws_security_group" "cdc" {
  count = var.cdc_enabled ? 1 : 0

  name        = "${var.name_prefix}-cdc"
  description = "MSK Connect workers of Baton's CDC connectors (Debezium Oracle source, JDBC sink into Aurora)"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_egress_rule" "cdc_to_aurora" {
  count = var.cdc_enabled ? 1 : 0

  security_group_id            = aws_security_group.cdc[0].id
  description                  = "The JDBC sink into Aurora PostgreSQL"
  ip_protocol                  = "tcp"
  from_port                    = module.aurora.port
  to_port                      = module.aurora.port
  referenced_security_group_id = module.aurora.security_group_id
}

resource "aws_vpc_security_group_egress_rule" "cdc_to_oracle" {
  count = var.cdc_enabled ? 1 : 0

  security_group_id = aws_security_group.cdc[0].id
  description       = "The Debezium Oracle source to the Oracle listener (on premises, through Direct Connect or VPN)"
  ip_protocol       = "tcp"
  from_port         = var.cdc_oracle_port
  to_port           = var.cdc_oracle_port
  cidr_ipv4         = var.cdc_oracle_cidr

  lifecycle {
    precondition {
      condition     = var.cdc_oracle_cidr != null
      error_message = "cdc_enabled needs cdc_oracle_cidr: the network of the Oracle listener."
    }

    precondition {
      condition     = var.cdc_oracle_secret_arn != null && var.cdc_table_include_list != null
      error_message = "cdc_enabled needs cdc_oracle_secret_arn (the Oracle secret) and cdc_table_include_list (the tables to capture)."
    }
  }
}

# Egress of both: MSK's IAM listener, the interface endpoints (443) and S3 through its gateway endpoint (443)
resource "aws_vpc_security_group_egress_rule" "to_msk" {
  for_each = local.aws_clients

  security_group_id            = each.value
  description                  = "Kafka over TLS with IAM authentication"
  ip_protocol                  = "tcp"
  from_port                    = 9098
  to_port                      = 9098
  referenced_security_group_id = module.msk.security_group_id
}

resource "aws_vpc_security_group_egress_rule" "to_endpoints" {
  for_each = local.aws_clients

  security_group_id            = each.value
  description                  = "AWS APIs through the VPC interface endpoints"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = module.network.endpoint_security_group_id
}

resource "aws_vpc_security_group_egress_rule" "to_s3" {
  for_each = local.aws_clients

  security_group_id = each.value
  description       = "S3 through the gateway endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = module.network.s3_prefix_list_id
}

################################################################################
# Modules
################################################################################

module "network" {
  source = "../../modules/network"

  name_prefix               = var.name_prefix
  vpc_id                    = var.vpc_id
  vpc_cidr                  = var.vpc_cidr
  private_subnet_ids        = var.private_subnet_ids
  private_route_table_ids   = var.private_route_table_ids
  client_security_group_ids = local.endpoint_clients
  # EMR on EKS's API too when the emr-containers launcher is on
  interface_endpoint_services = distinct(concat(var.interface_endpoint_services, var.emr_on_eks_enabled ? ["emr-containers"] : []))
  create_s3_gateway_endpoint  = var.create_s3_gateway_endpoint
}

module "buckets" {
  source = "../../modules/buckets"

  name_prefix = var.name_prefix
}

module "object_events" {
  source = "../../modules/object-events"

  name_prefix         = var.name_prefix
  landing_bucket_name = module.buckets.landing_bucket_name
  landing_prefixes    = var.landing_prefixes
  kms_key_arn         = module.buckets.kms_key_arn
}

module "msk" {
  source = "../../modules/msk"

  name_prefix               = var.name_prefix
  mode                      = var.msk_mode
  brokers_per_subnet        = local.brokers_per_subnet
  vpc_id                    = var.vpc_id
  private_subnet_ids        = var.private_subnet_ids
  client_security_group_ids = local.kafka_clients
  kms_key_arn               = module.buckets.kms_key_arn
}

module "glue_athena" {
  source = "../../modules/glue-athena"

  name_prefix                = var.name_prefix
  warehouse_bucket_name      = module.buckets.warehouse_bucket_name
  athena_results_bucket_name = module.buckets.export_bucket_name
  kms_key_arn                = module.buckets.kms_key_arn
}

module "emr_serverless" {
  source = "../../modules/emr-serverless"

  name_prefix          = var.name_prefix
  private_subnet_ids   = var.private_subnet_ids
  security_group_ids   = [aws_security_group.emr_serverless.id]
  landing_bucket_arn   = module.buckets.landing_bucket_arn
  warehouse_bucket_arn = module.buckets.warehouse_bucket_arn
  export_bucket_arn    = module.buckets.export_bucket_arn
  kms_key_arn          = module.buckets.kms_key_arn
  glue_database_names  = module.glue_athena.database_names
  msk_cluster_arn      = module.msk.cluster_arn
  msk_cluster_name     = module.msk.cluster_name
  msk_cluster_uuid     = module.msk.cluster_uuid
  artifact_object_arns = local.artifact_object_arns
}

# EMR on EKS gets a namespace of its own: EMR manages the service accounts in it
resource "kubernetes_namespace_v1" "emr_on_eks" {
  count = var.emr_on_eks_enabled ? 1 : 0

  metadata {
    name   = "${local.namespace}-emr"
    labels = { "app.kubernetes.io/part-of" = "baton" }
  }
}

module "emr_on_eks" {
  source = "../../modules/emr-on-eks"
  count  = var.emr_on_eks_enabled ? 1 : 0

  name_prefix          = var.name_prefix
  eks_cluster_name     = var.eks_cluster_name
  namespace            = kubernetes_namespace_v1.emr_on_eks[0].metadata[0].name
  oidc_provider_arn    = var.oidc_provider_arn
  oidc_provider_url    = var.oidc_provider_url
  landing_bucket_arn   = module.buckets.landing_bucket_arn
  warehouse_bucket_arn = module.buckets.warehouse_bucket_arn
  export_bucket_arn    = module.buckets.export_bucket_arn
  kms_key_arn          = module.buckets.kms_key_arn
  glue_database_names  = module.glue_athena.database_names
  msk_cluster_arn      = module.msk.cluster_arn
  msk_cluster_name     = module.msk.cluster_name
  msk_cluster_uuid     = module.msk.cluster_uuid
  artifact_object_arns = local.artifact_object_arns
}

module "spark_eks" {
  source = "../../modules/spark-eks"

  name_prefix                     = var.name_prefix
  namespace                       = local.namespace
  oidc_provider_arn               = var.oidc_provider_arn
  oidc_provider_url               = var.oidc_provider_url
  landing_bucket_arn              = module.buckets.landing_bucket_arn
  warehouse_bucket_arn            = module.buckets.warehouse_bucket_arn
  export_bucket_arn               = module.buckets.export_bucket_arn
  kms_key_arn                     = module.buckets.kms_key_arn
  glue_database_names             = module.glue_athena.database_names
  msk_cluster_arn                 = module.msk.cluster_arn
  msk_cluster_name                = module.msk.cluster_name
  msk_cluster_uuid                = module.msk.cluster_uuid
  artifact_object_arns            = local.artifact_object_arns
  emr_serverless_application_arns = [module.emr_serverless.application_arn]
  emr_virtual_cluster_arns        = module.emr_on_eks[*].virtual_cluster_arn
  emr_job_role_arns               = concat([module.emr_serverless.job_role_arn], module.emr_on_eks[*].job_role_arn)
}

module "msk_connect" {
  source = "../../modules/msk-connect"

  name_prefix                     = var.name_prefix
  plugin_bucket_arn               = local.artifacts_bucket_arn
  plugin_object_key               = var.connector_plugin_key
  msk_cluster_arn                 = module.msk.cluster_arn
  msk_cluster_name                = module.msk.cluster_name
  msk_cluster_uuid                = module.msk.cluster_uuid
  bootstrap_brokers_sasl_iam      = module.msk.bootstrap_brokers_sasl_iam
  private_subnet_ids              = var.private_subnet_ids
  security_group_ids              = [aws_security_group.connect.id]
  queue_url                       = module.object_events.queue_url
  queue_arn                       = module.object_events.queue_arn
  kms_key_arn                     = module.buckets.kms_key_arn
  landing_bucket_arn              = module.buckets.landing_bucket_arn
  emr_serverless_application_arns = [module.emr_serverless.application_arn]
  emr_virtual_cluster_arns        = module.emr_on_eks[*].virtual_cluster_arn

  # the connector writes to existing topics only: the controller's init container creates them
  depends_on = [module.controller]
}

module "controller" {
  source = "../../modules/controller"

  name_prefix     = var.name_prefix
  namespace       = module.spark_eks.namespace
  service_account = module.spark_eks.controller_service_account
  image           = var.controller_image
  env             = { BATON_JAVA_OPTS = "-XX:MaxRAMPercentage=75" } # of the container's memory limit
  pipelines       = { for f in fileset(local.pipelines_dir, "*.yaml") : f => file("${local.pipelines_dir}/${f}") }
  # Baton's configuration: no secret in it (MSK and AWS take the pod's IAM role)
  config_properties = <<-PROPERTIES
    kafka.bootstrap.servers=${module.msk.bootstrap_brokers_sasl_iam}
    kafka.security.protocol=SASL_SSL
    kafka.sasl.mechanism=AWS_MSK_IAM
    kafka.sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;
    kafka.sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler
    iceberg.catalog.type=glue
    iceberg.catalog.warehouse=s3://${module.buckets.warehouse_bucket_name}/warehouse/
    iceberg.catalog.io-impl=org.apache.iceberg.aws.s3.S3FileIO
    iceberg.catalog.client.region=${var.region}
    spark.hadoop.fs.s3.impl=org.apache.hadoop.fs.s3a.S3AFileSystem
    spark.hadoop.fs.s3a.aws.credentials.provider=com.amazonaws.auth.WebIdentityTokenCredentialsProvider
    spark.hadoop.fs.s3a.endpoint.region=${var.region}
    s3.region=${var.region}
    s3.buckets=${module.buckets.landing_bucket_name},${module.buckets.warehouse_bucket_name}
    controller.checkpoint-location=s3a://${module.buckets.warehouse_bucket_name}/baton/controller/checkpoint
    controller.default-launcher=emr
    launchers.emr.type=emr-serverless
    launchers.emr.application-id=${module.emr_serverless.application_id}
    launchers.emr.execution-role-arn=${module.emr_serverless.job_role_arn}
    launchers.emr.region=${var.region}
    launchers.emr.stage-runner-jar=s3://${var.artifacts_bucket_name}/${var.stage_runner_jar_key}
    launchers.emr.stage-config=${basename(var.stage_config_key)}
    launchers.emr.conf.spark.files=s3://${var.artifacts_bucket_name}/${var.stage_config_key}
  PROPERTIES
}

module "aurora" {
  source = "../../modules/aurora"

  name_prefix               = var.name_prefix
  vpc_id                    = var.vpc_id
  private_subnet_ids        = var.private_subnet_ids
  client_security_group_ids = local.database_clients
  kms_key_arn               = module.buckets.kms_key_arn
  database_name             = local.cdc_database
}

module "msk_connect_cdc" {
  source = "../../modules/msk-connect-cdc"
  count  = var.cdc_enabled ? 1 : 0

  name_prefix                = var.name_prefix
  plugin_bucket_arn          = local.artifacts_bucket_arn
  oracle_source_plugin_key   = var.cdc_oracle_source_plugin_key
  jdbc_sink_plugin_key       = var.cdc_jdbc_sink_plugin_key
  msk_cluster_arn            = module.msk.cluster_arn
  msk_cluster_name           = module.msk.cluster_name
  msk_cluster_uuid           = module.msk.cluster_uuid
  bootstrap_brokers_sasl_iam = module.msk.bootstrap_brokers_sasl_iam
  private_subnet_ids         = var.private_subnet_ids
  security_group_ids         = [aws_security_group.cdc[0].id]
  kms_key_arn                = module.buckets.kms_key_arn
  oracle_secret_arn          = var.cdc_oracle_secret_arn
  table_include_list         = var.cdc_table_include_list
  # the master user, whose password RDS rotates: a user of the sink's own is better (modules/msk-connect-cdc/README.md)
  target_secret_arn = module.aurora.master_user_secret_arn
  target_endpoint   = module.aurora.cluster_endpoint
  target_port       = module.aurora.port
  target_database   = local.cdc_database
}
