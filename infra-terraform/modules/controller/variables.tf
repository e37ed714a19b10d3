variable "name_prefix" {
  description = "Prefix naming this deployment of Baton, e.g. \"baton-prod\" (label app.kubernetes.io/instance): a lowercase letter, then 1-23 lowercase letters, digits or hyphens."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,23}$", var.name_prefix))
    error_message = "name_prefix must match ^[a-z][a-z0-9-]{1,23}$ (e.g. \"baton-prod\")."
  }
}

variable "tags" {
  description = "Tags, set as annotations on the ConfigMap and the Deployment (this module creates no AWS resource). Keys must be valid Kubernetes annotation keys."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for key in keys(var.tags) : can(regex("^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", key))])
    error_message = "Each tags key must be a Kubernetes annotation key: [prefix/]name, the name 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit."
  }
}

variable "namespace" {
  description = "Existing Kubernetes namespace of the controller (the spark-eks module's namespace output)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS label: lowercase letters, digits and hyphens, at most 63 characters."
  }
}

variable "service_account" {
  description = "Existing service account the controller runs as, carrying its IAM role (the spark-eks module's controller_service_account output) and bound to the baton-controller Role."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.service_account))
    error_message = "service_account must be a Kubernetes object name (DNS subdomain)."
  }
}

variable "image" {
  description = "Baton's container image, with a tag or a digest (no implicit or explicit latest), e.g. 111122223333.dkr.ecr.eu-west-1.amazonaws.com/baton:0.1.0 or ...@sha256:<64 hex>."
  type        = string

  validation {
    condition = (
      can(regex("^([A-Za-z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._/-][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$", var.image))
      && can(regex("(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$", var.image))
      && !endswith(var.image, ":latest")
    )
    error_message = "image must be an image reference with a tag (not latest) or a sha256 digest, e.g. <registry>/baton:0.1.0."
  }
}

variable "command" {
  description = "Container command (the image's entrypoint is replaced): Baton's launcher script."
  type        = list(string)
  default     = ["baton"]

  validation {
    condition     = length(var.command) > 0
    error_message = "command must hold at least the executable."
  }
}

variable "args" {
  description = "Container arguments; null: [\"--config\", \"/etc/baton/baton.properties\", \"controller\", \"--metrics-port\", \"<metrics_port>\", \"--metrics-host\", \"0.0.0.0\"] (9464 by default)."
  type        = list(string)
  default     = null
}

variable "config_properties" {
  description = "Content of Baton's configuration file, mounted as /etc/baton/baton.properties (e.g. examples/config/aws-msk-iam-glue.properties filled in). Secrets only by reference (e.g. $${env:NAME} with secret_env, $${sm:<secret>:<field>}): a plain value for a key ending in password, secret, token, credential(s), secret key, API key or private key (JAAS password=\"...\" included) is refused."
  type        = string

  validation {
    condition     = length(trimspace(var.config_properties)) > 0
    error_message = "config_properties must hold Baton's configuration file."
  }

  validation {
    condition     = !can(regex("(?i)(password|passwd|secret|token|credentials?|secret[-_.]?access[-_.]?key|secret[-_.]key|api[-_.]?key|private[-_.]key)\\s*=\\s*[\"']?[^$\"'\\s]", var.config_properties))
    error_message = "config_properties holds a secret in plain text (a password, secret, token or key given as a value): give it by reference, e.g. $${env:NAME} (with secret_env) or $${sm:<secret name>:<field>}."
  }
}

variable "metrics_port" {
  description = "Port of the controller's Prometheus endpoint (/metrics), also probed for liveness and readiness."
  type        = number
  default     = 9464

  validation {
    condition     = var.metrics_port >= 1024 && var.metrics_port <= 65535 && floor(var.metrics_port) == var.metrics_port
    error_message = "metrics_port must be a whole number from 1024 to 65535 (the container runs as non-root)."
  }
}

variable "env" {
  description = "Plain (non-secret) environment variables of the controller, e.g. { BATON_JAVA_OPTS = \"-XX:MaxRAMPercentage=75\" } (a heap in proportion to memory_limit). BATON_HOME, BATON_PIPELINES and HOME (/tmp) are set by the module; secrets go in secret_env."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.env) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", name)) && name != "BATON_HOME"])
    error_message = "env keys must be environment variable names ([A-Za-z_][A-Za-z0-9_]*), and not BATON_HOME."
  }

  validation {
    condition     = alltrue([for name in keys(var.env) : !can(regex("(?i)(password|secret|token|credential)", name))])
    error_message = "env must not hold secrets (a name mentioning password, secret, token or credential): use secret_env."
  }
}

variable "secret_env" {
  description = "Environment variables read from Kubernetes Secrets in the namespace: name => { secret_name, key }. Refer to them from config_properties as $${env:NAME}."
  type = map(object({
    secret_name = string
    key         = string
  }))
  default = {}

  validation {
    condition = alltrue([for name, ref in var.secret_env : (
      can(regex("^[A-Za-z_][A-Za-z0-9_]*$", name))
      && can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", ref.secret_name))
      && can(regex("^[-._A-Za-z0-9]+$", ref.key))
    )])
    error_message = "secret_env keys must be environment variable names, secret_name a Secret name (DNS subdomain) and key a Secret data key ([-._A-Za-z0-9]+)."
  }
}

variable "cpu_request" {
  description = "CPU the controller's container requests (Kubernetes quantity, e.g. \"1\" or \"500m\")."
  type        = string
  default     = "1"

  validation {
    condition     = can(regex("^([0-9]+(\\.[0-9]+)?|[0-9]+m)$", var.cpu_request))
    error_message = "cpu_request must be a CPU quantity, e.g. \"1\", \"1.5\" or \"500m\"."
  }
}

variable "cpu_limit" {
  description = "CPU limit of the controller's container (Kubernetes quantity)."
  type        = string
  default     = "2"

  validation {
    condition     = can(regex("^([0-9]+(\\.[0-9]+)?|[0-9]+m)$", var.cpu_limit))
    error_message = "cpu_limit must be a CPU quantity, e.g. \"2\" or \"1500m\"."
  }
}

variable "memory_request" {
  description = "Memory the controller's container requests (Kubernetes quantity, e.g. \"4Gi\"): the controller's Spark session and its in-process stages."
  type        = string
  default     = "4Gi"

  validation {
    condition     = can(regex("^[0-9]+(Ki|Mi|Gi|Ti|K|M|G|T)?$", var.memory_request))
    error_message = "memory_request must be a memory quantity, e.g. \"4Gi\" or \"512Mi\"."
  }
}

variable "memory_limit" {
  description = "Memory limit of the controller's container (Kubernetes quantity); keep it equal to memory_request so the pod is never evicted for memory it was promised."
  type        = string
  default     = "4Gi"

  validation {
    condition     = can(regex("^[0-9]+(Ki|Mi|Gi|Ti|K|M|G|T)?$", var.memory_limit))
    error_message = "memory_limit must be a memory quantity, e.g. \"4Gi\" or \"512Mi\"."
  }
}

variable "run_as_user" {
  description = "Non-root user and group ID the controller runs as (also the pod's fsGroup, so the projected IRSA token is readable); 185 is the spark user of Baton's Spark image."
  type        = number
  default     = 185

  validation {
    condition     = var.run_as_user > 0 && floor(var.run_as_user) == var.run_as_user
    error_message = "run_as_user must be a positive whole number (not root)."
  }
}

variable "tmp_size_limit" {
  description = "Size limit of the emptyDir mounted at /tmp (the root filesystem is read-only): Spark's local directories and spill."
  type        = string
  default     = "8Gi"

  validation {
    condition     = can(regex("^[0-9]+(Ki|Mi|Gi|Ti)$", var.tmp_size_limit))
    error_message = "tmp_size_limit must be a quantity such as \"8Gi\"."
  }
}

variable "state_size_limit" {
  description = "Size limit of the emptyDir mounted at BATON_HOME (/var/lib/baton), Baton's local state folder."
  type        = string
  default     = "1Gi"

  validation {
    condition     = can(regex("^[0-9]+(Ki|Mi|Gi|Ti)$", var.state_size_limit))
    error_message = "state_size_limit must be a quantity such as \"1Gi\"."
  }
}

variable "termination_grace_period_seconds" {
  description = "Seconds the controller gets to stop its queries after SIGTERM before it is killed (the next pod starts only after)."
  type        = number
  default     = 60

  validation {
    condition     = var.termination_grace_period_seconds >= 0 && floor(var.termination_grace_period_seconds) == var.termination_grace_period_seconds
    error_message = "termination_grace_period_seconds must be a whole number >= 0."
  }
}

variable "pipelines" {
  description = "The pipelines the controller runs: file name (e.g. tpch-12.yaml) to pipeline YAML, mounted at /etc/baton-pipelines (BATON_PIPELINES). The controller reads them when it starts; a change restarts it."
  type        = map(string)

  validation {
    condition     = length(var.pipelines) > 0 && alltrue([for name in keys(var.pipelines) : can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\\.ya?ml$", name))])
    error_message = "pipelines must name at least one file, each a plain file name ending in .yaml or .yml."
  }
}

variable "create_topics" {
  description = "Whether an init container runs `baton topics create` before the controller starts: it creates the topics of `topics` that do not exist (names from topics.* of config_properties) and changes nothing otherwise. The controller's role needs kafka-cluster:CreateTopic on them (the spark-eks module grants it)."
  type        = bool
  default     = true
}

variable "topics" {
  description = "Partitions and retention.ms of each of Baton's topic roles, for topics the init container creates (existing topics are not changed). Replication is the cluster's default (3 on MSK)."
  type = map(object({
    partitions   = number
    retention_ms = number
  }))
  default = {
    objects = { partitions = 12, retention_ms = 604800000 } # 7 days
    control = { partitions = 12, retention_ms = 604800000 }
    dlq     = { partitions = 3, retention_ms = 2592000000 } # 30 days
    alerts  = { partitions = 3, retention_ms = 2592000000 }
    ledger  = { partitions = 6, retention_ms = 604800000 }
  }

  validation {
    condition = alltrue([for role, topic in var.topics :
      contains(["objects", "control", "dlq", "alerts", "ledger"], role) && topic.partitions >= 1
    && (topic.retention_ms >= 1 || topic.retention_ms == -1)])
    error_message = "topics keys must be Baton's topic roles (objects, control, dlq, alerts, ledger), partitions >= 1, retention_ms positive or -1 (forever)."
  }
}
