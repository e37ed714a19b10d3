# The Baton controller on Kubernetes: its configuration file in a ConfigMap and one Deployment running
# `baton --config /etc/baton/baton.properties controller`. The namespace, the service account (with its IRSA role)
# and RBAC come from the spark-eks module.

locals {
  name          = "baton-controller"
  config_dir    = "/etc/baton"
  config_file   = "baton.properties"
  pipelines_dir = "/etc/baton-pipelines" # not under /etc/baton: a mount inside a ConfigMap volume needs a writable parent
  state_dir     = "/var/lib/baton"

  args = var.args != null ? var.args : [
    "--config", "${local.config_dir}/${local.config_file}",
    "controller",
    "--metrics-port", tostring(var.metrics_port),
    "--metrics-host", "0.0.0.0",
  ]

  selector_labels = {
    "app.kubernetes.io/name"     = local.name
    "app.kubernetes.io/instance" = var.name_prefix
  }

  labels = merge(local.selector_labels, {
    "app.kubernetes.io/part-of"    = "baton"
    "app.kubernetes.io/component"  = "controller"
    "app.kubernetes.io/managed-by" = "terraform"
  })

  # `baton topics create` before the controller: creates the missing topics, changes nothing when they exist
  create_topics_args = concat(["--config", "${local.config_dir}/${local.config_file}", "topics", "create"],
    flatten([for role, topic in var.topics : ["--partitions", "${role}=${topic.partitions}",
  "--retention-ms", "${role}=${topic.retention_ms}"]]))

  # plain environment, then Baton's own settings (which win); secrets come only from secret_env (Secret references)
  env = merge(var.env, {
    BATON_HOME      = local.state_dir
    BATON_PIPELINES = local.pipelines_dir
    # the image's user has no writable home on the read-only root file system (Ivy, Hadoop and Spark write there)
    HOME = "/tmp"
  })
}

resource "kubernetes_config_map_v1" "this" {
  metadata {
    name        = "${local.name}-config"
    namespace   = var.namespace
    labels      = local.labels
    annotations = var.tags
  }

  data = {
    (local.config_file) = var.config_properties
  }
}

# The pipelines the controller runs (it reads them when it starts), one YAML file per key
resource "kubernetes_config_map_v1" "pipelines" {
  metadata {
    name        = "${local.name}-pipelines"
    namespace   = var.namespace
    labels      = local.labels
    annotations = var.tags
  }

  data = var.pipelines
}

resource "kubernetes_deployment_v1" "this" {
  metadata {
    name        = local.name
    namespace   = var.namespace
    labels      = local.labels
    annotations = var.tags
  }

  lifecycle {
    precondition {
      condition     = length(setintersection(keys(local.env), keys(var.secret_env))) == 0
      error_message = "env and secret_env must not name the same variable (nor BATON_HOME, BATON_PIPELINES or HOME, which the module sets)."
    }
  }

  spec {
    # two controllers must never run at once: one replica, and the old pod is gone before the new one starts
    replicas               = 1
    revision_history_limit = 5

    strategy {
      type = "Recreate"
    }

    selector {
      match_labels = local.selector_labels
    }

    template {
      metadata {
        labels = local.labels
        annotations = {
          # a configuration change restarts the controller (it reads the file at start)
          "baton.dev/config-sha256"    = sha256(var.config_properties)
          "baton.dev/pipelines-sha256" = sha256(jsonencode(var.pipelines))
          "prometheus.io/scrape"       = "true"
          "prometheus.io/port"         = tostring(var.metrics_port)
          "prometheus.io/path"         = "/metrics"
        }
      }

      spec {
        service_account_name             = var.service_account
        automount_service_account_token  = true
        enable_service_links             = false
        termination_grace_period_seconds = var.termination_grace_period_seconds

        security_context {
          run_as_non_root = true
          run_as_user     = var.run_as_user
          run_as_group    = var.run_as_user
          # makes the projected IRSA token readable by that user
          fs_group = var.run_as_user

          seccomp_profile {
            type = "RuntimeDefault"
          }
        }

        dynamic "init_container" {
          for_each = var.create_topics ? [1] : []

          content {
            name              = "create-topics"
            image             = var.image
            image_pull_policy = "IfNotPresent"
            command           = var.command
            args              = local.create_topics_args
            working_dir       = local.state_dir

            dynamic "env" {
              for_each = local.env

              content {
                name  = env.key
                value = env.value
              }
            }

            dynamic "env" {
              for_each = var.secret_env

              content {
                name = env.key

                value_from {
                  secret_key_ref {
                    name = env.value.secret_name
                    key  = env.value.key
                  }
                }
              }
            }

            resources {
              requests = {
                cpu    = "250m"
                memory = "512Mi"
              }
              limits = {
                cpu    = "1"
                memory = "1Gi"
              }
            }

            security_context {
              allow_privilege_escalation = false
              privileged                 = false
              read_only_root_filesystem  = true
              run_as_non_root            = true

              capabilities {
                drop = ["ALL"]
              }
            }

            volume_mount {
              name       = "config"
              mount_path = local.config_dir
              read_only  = true
            }

            volume_mount {
              name       = "tmp"
              mount_path = "/tmp"
            }

            volume_mount {
              name       = "state"
              mount_path = local.state_dir
            }
          }
        }

        container {
          name              = "controller"
          image             = var.image
          image_pull_policy = "IfNotPresent"
          command           = var.command
          args              = local.args
          # a writable working directory: Spark creates its default spark-warehouse folder there
          working_dir = local.state_dir

          port {
            name           = "metrics"
            container_port = var.metrics_port
            protocol       = "TCP"
          }

          dynamic "env" {
            for_each = local.env

            content {
              name  = env.key
              value = env.value
            }
          }

          dynamic "env" {
            for_each = var.secret_env

            content {
              name = env.key

              value_from {
                secret_key_ref {
                  name = env.value.secret_name
                  key  = env.value.key
                }
              }
            }
          }

          resources {
            requests = {
              cpu    = var.cpu_request
              memory = var.memory_request
            }
            limits = {
              cpu    = var.cpu_limit
              memory = var.memory_limit
            }
          }

          security_context {
            allow_privilege_escalation = false
            privileged                 = false
            read_only_root_filesystem  = true
            run_as_non_root            = true

            capabilities {
              drop = ["ALL"]
            }
          }

          # the controller starts a Spark session before it serves /metrics
          startup_probe {
            http_get {
              path = "/metrics"
              port = var.metrics_port
            }

            period_seconds    = 10
            timeout_seconds   = 5
            failure_threshold = 30
          }

          liveness_probe {
            http_get {
              path = "/metrics"
              port = var.metrics_port
            }

            period_seconds    = 20
            timeout_seconds   = 5
            failure_threshold = 6
          }

          readiness_probe {
            http_get {
              path = "/metrics"
              port = var.metrics_port
            }

            period_seconds    = 10
            timeout_seconds   = 5
            failure_threshold = 3
          }

          volume_mount {
            name       = "config"
            mount_path = local.config_dir
            read_only  = true
          }

          volume_mount {
            name       = "pipelines"
            mount_path = local.pipelines_dir
            read_only  = true
          }

          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }

          volume_mount {
            name       = "state"
            mount_path = local.state_dir
          }
        }

        volume {
          name = "config"

          config_map {
            name         = kubernetes_config_map_v1.this.metadata[0].name
            default_mode = "0444"

            items {
              key  = local.config_file
              path = local.config_file
            }
          }
        }

        volume {
          name = "pipelines"

          config_map {
            name         = kubernetes_config_map_v1.pipelines.metadata[0].name
            default_mode = "0444"
          }
        }

        # Spark's local directories and spill
        volume {
          name = "tmp"

          empty_dir {
            size_limit = var.tmp_size_limit
          }
        }

        # BATON_HOME: local state only (the checkpoint and launch journal are on S3)
        volume {
          name = "state"

          empty_dir {
            size_limit = var.state_size_limit
          }
        }
      }
    }
  }
}
