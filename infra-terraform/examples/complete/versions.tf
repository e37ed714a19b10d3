terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws        = { source = "hashicorp/aws", version = ">= 6.0, < 7.0" }
    kubernetes = { source = "hashicorp/kubernetes", version = ">= 2.30, < 3.0" }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = var.tags
  }
}

data "aws_eks_cluster" "this" {
  name = var.eks_cluster_name
}

# The EKS cluster's API (private endpoint: run Terraform from inside the VPC or over its VPN). A token fetched at
# each call (aws eks get-token), not one read at plan time: those expire after 15 minutes, less than an apply that
# waits for MSK.
provider "kubernetes" {
  host                   = data.aws_eks_cluster.this.endpoint
  cluster_ca_certificate = base64decode(data.aws_eks_cluster.this.certificate_authority[0].data)

  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "aws"
    args        = ["eks", "get-token", "--cluster-name", var.eks_cluster_name, "--region", var.region]
  }
}
