{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "akash-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects. */}}
{{- define "akash-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Name of cluster-scoped objects: unique per release namespace, so two releases never collide. */}}
{{- define "akash-operator.clusterName" -}}
{{- printf "%s-%s" .Release.Namespace (include "akash-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "akash-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "akash-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: akash-operator
{{- end }}

{{- define "akash-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "akash-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "akash-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "akash-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "akash-operator.leaseName" -}}
{{- default (include "akash-operator.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{- define "akash-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* True when tenant HTTP routing uses Gateway API HTTPRoutes (the operator then manages them). */}}
{{- define "akash-operator.httproute" -}}
{{- if eq (dig "ingress" "mode" "ingress" .Values.config.policy) "httproute" }}true{{ end }}
{{- end }}

{{/* The operator's configuration file (src/config/schema.ts). */}}
{{- define "akash-operator.config" -}}
namespace: {{ .Release.Namespace }}
metricsAddr: "0.0.0.0:{{ .Values.metrics.port }}"
logLevel: {{ .Values.config.logLevel }}
concurrency: {{ .Values.config.concurrency }}
resyncSeconds: {{ .Values.config.resyncSeconds }}
fieldManager: {{ .Values.config.fieldManager | quote }}
leaderElection:
  enabled: {{ .Values.leaderElection.enabled }}
  leaseName: {{ include "akash-operator.leaseName" . }}
  namespace: {{ .Release.Namespace }}
  leaseDurationSeconds: {{ .Values.leaderElection.leaseDurationSeconds }}
  renewDeadlineSeconds: {{ .Values.leaderElection.renewDeadlineSeconds }}
  retryPeriodSeconds: {{ .Values.leaderElection.retryPeriodSeconds }}
identity:
  enabled: {{ .Values.identity.enabled }}
  trustDomain: {{ .Values.identity.trustDomain | quote }}
  svidTtlSeconds: {{ .Values.identity.svidTtlSeconds }}
  caTtlSeconds: {{ .Values.identity.caTtlSeconds }}
  caSecretName: {{ printf "%s-spiffe-ca" (include "akash-operator.fullname" .) | quote }}
  upstreamCaSecretName: {{ .Values.identity.upstreamCaSecretName | quote }}
  bundleConfigMapName: {{ printf "%s-spiffe-bundle" (include "akash-operator.fullname" .) | quote }}
  agentImage: {{ include "akash-operator.image" . | quote }}
  {{- if .Values.identity.bundleEndpoint.enabled }}
  bundleEndpoint:
    addr: "0.0.0.0:{{ .Values.identity.bundleEndpoint.port }}"
    certFile: /var/run/akash-operator/bundle-endpoint/tls.crt
    keyFile: /var/run/akash-operator/bundle-endpoint/tls.key
  {{- end }}
{{- if .Values.gateway.enabled }}
gateway:
  addr: "0.0.0.0:{{ .Values.gateway.port }}"
  certFile: /var/run/akash-operator/gateway/tls.crt
  keyFile: /var/run/akash-operator/gateway/tls.key
  providerAddress: {{ required "gateway.providerAddress is required when the gateway is enabled" .Values.gateway.providerAddress | quote }}
{{- end }}
policy:
  {{- toYaml .Values.config.policy | nindent 2 }}
{{- end }}
