{{/* Chart name, shortened to the 63 characters of a DNS label. */}}
{{- define "plein.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the prefix of every resource of the release. */}}
{{- define "plein.fullname" -}}
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

{{/* Name of one component's resources: plein.componentName (dict "root" $ "component" "api"). */}}
{{- define "plein.componentName" -}}
{{- printf "%s-%s" (include "plein.fullname" .root | trunc 50 | trimSuffix "-") .component }}
{{- end }}

{{- define "plein.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every resource: plein.labels (dict "root" $ "component" "api"). */}}
{{- define "plein.labels" -}}
helm.sh/chart: {{ include "plein.chart" .root }}
{{ include "plein.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: plein
{{- end }}

{{/* Selector labels: plein.selectorLabels (dict "root" $ "component" "api"). */}}
{{- define "plein.selectorLabels" -}}
app.kubernetes.io/name: {{ include "plein.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end }}

{{- define "plein.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Secret the PLEIN_* variables come from. */}}
{{- define "plein.secretName" -}}
{{- default (printf "%s-env" (include "plein.fullname" .)) .Values.existingSecret }}
{{- end }}

{{/* One variable from the Secret: plein.secretEnv (dict "root" $ "key" "PLEIN_DATABASE_URL" "optional" false). */}}
{{- define "plein.secretEnv" -}}
- name: {{ .key }}
  valueFrom:
    secretKeyRef:
      name: {{ include "plein.secretName" .root }}
      key: {{ .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}

{{/* The PLEIN_* variables each role reads, and nothing more (the api never sees plein_owner's URL). */}}
{{- define "plein.env" -}}
{{- $root := .root -}}
- name: PLEIN_LOG_LEVEL
  value: {{ $root.Values.logLevel | quote }}
{{- if ne .component "migrate" }}
- name: PLEIN_ADMIN_ADDR
  value: ":9090"
{{- end }}
{{ include "plein.secretEnv" (dict "root" $root "key" "PLEIN_DATABASE_URL") }}
{{- if or (eq .component "api") (eq .component "worker") }}
{{- /* The gemeenten's BSN keys: each gemeente's key-encryption key in the KMS directory
       (the kms volume), its data keys wrapped in the database. The global keys of before
       (optional) stay readable as version 1 until the re-seal job has moved every row. */}}
- name: PLEIN_KMS_DIR
  value: {{ $root.Values.kms.mountPath | quote }}
{{ include "plein.secretEnv" (dict "root" $root "key" "PLEIN_BSN_KEY" "optional" true) }}
{{ include "plein.secretEnv" (dict "root" $root "key" "PLEIN_BSN_INDEX_KEY" "optional" true) }}
{{- end }}
{{- if eq .component "api" }}
- name: PLEIN_HTTP_ADDR
  value: ":8080"
- name: PLEIN_TRUSTED_PROXIES
  value: {{ join "," $root.Values.api.trustedProxies | quote }}
{{ include "plein.secretEnv" (dict "root" $root "key" "PLEIN_SESSION_KEY") }}
{{ include "plein.secretEnv" (dict "root" $root "key" "PLEIN_OIDC_ISSUERS" "optional" true) }}
{{- if $root.Values.api.operatorAPI }}
{{ include "plein.secretEnv" (dict "root" $root "key" "PLEIN_CONTROL_DATABASE_URL" "optional" true) }}
{{- end }}
{{- else if eq .component "controlplane" }}
{{ include "plein.secretEnv" (dict "root" $root "key" "PLEIN_CONTROL_DATABASE_URL") }}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: PLEIN_CONTROLPLANE
  value: {{ include "plein.controlplaneConfig" $root | quote }}
{{- else if eq .component "migrate" }}
{{ include "plein.secretEnv" (dict "root" $root "key" "PLEIN_MIGRATE_DATABASE_URL") }}
{{- end }}
{{- end }}

{{/* Scheduling settings shared by every pod. */}}
{{- define "plein.scheduling" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* The name of the KMS directory's claim: the chart's own, or an existing one. */}}
{{- define "plein.kmsClaim" -}}
{{- .Values.kms.existingClaim | default (printf "%s-kms" (include "plein.fullname" .)) }}
{{- end }}

{{/* The components that run as Deployments, in a fixed order. */}}
{{- define "plein.components" -}}
{{- $c := list "api" "worker" }}
{{- if .Values.controlplane.enabled }}{{ $c = append $c "controlplane" }}{{ end }}
{{- toJson $c }}
{{- end }}

{{/*
The control plane's configuration (services/controlplane.Config), as JSON in
PLEIN_CONTROLPLANE: where the tenants' Ingresses go and what a silo gets.
*/}}
{{- define "plein.controlplaneConfig" -}}
{{- $v := .Values -}}
{{- $np := $v.networkPolicy -}}
{{- $cfg := dict
  "namespace" .Release.Namespace
  "apiService" (include "plein.componentName" (dict "root" . "component" "api"))
  "apiPort" "http"
  "image" (include "plein.image" .)
  "imagePullPolicy" $v.image.pullPolicy
  "envSecret" (include "plein.secretName" .)
  "siloNamespacePrefix" $v.controlplane.silo.namespacePrefix
  "workerResources" $v.controlplane.silo.workerResources
  "postgres" (dict "port" $np.postgres.port "cidrs" $np.postgres.cidrs "namespaceSelector" $np.postgres.namespaceSelector "podSelector" $np.postgres.podSelector)
  "monitoringNamespaceSelector" $np.monitoringNamespaceSelector
  "resync" $v.controlplane.resync
  "leaseName" (include "plein.componentName" (dict "root" . "component" "controlplane"))
-}}
{{- if $v.ingress.className }}{{ $_ := set $cfg "ingressClass" $v.ingress.className }}{{ end -}}
{{- if $v.ingress.clusterIssuer }}{{ $_ := set $cfg "clusterIssuer" $v.ingress.clusterIssuer }}{{ end -}}
{{- toJson $cfg -}}
{{- end -}}

{{/*
The egress every role needs: DNS, and PostgreSQL (the CIDRs of a managed service, or the
namespaces and pods of an in-cluster one). DNS may go to any destination on port 53, not only
to kube-system: NodeLocal DNSCache answers on a link-local address of the node, which no
namespace selector matches.
*/}}
{{- define "plein.egressBaseRules" -}}
{{- $np := .Values.networkPolicy -}}
- ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
- to:
    {{- if $np.postgres.cidrs }}
    {{- range $np.postgres.cidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
    {{- else }}
    - namespaceSelector:
        {{- with $np.postgres.namespaceSelector }}
        matchLabels:
          {{- toYaml . | nindent 10 }}
        {{- else }} {}
        {{- end }}
      podSelector:
        {{- with $np.postgres.podSelector }}
        matchLabels:
          {{- toYaml . | nindent 10 }}
        {{- else }} {}
        {{- end }}
    {{- end }}
  ports:
    - port: {{ $np.postgres.port }}
      protocol: TCP
{{- end }}

{{/*
The IPv4 ranges outbound HTTPS never reaches (JSON list): private, loopback, link-local with
the cloud metadata address 169.254.169.254, and carrier-grade NAT (Alibaba's metadata
100.100.100.200). platform/egress refuses these and more when the application connects.
*/}}
{{- define "plein.nonPublicCIDRs" -}}
{{- toJson (list "10.0.0.0/8" "172.16.0.0/12" "192.168.0.0/16" "169.254.0.0/16" "127.0.0.0/8" "100.64.0.0/10") }}
{{- end }}

{{/*
The Ingress annotations that ask for HTTPS only (JSON object), without configuration snippets
(off by default in current ingress-nginx, for good reason): redirect HTTP to HTTPS, and send
Strict-Transport-Security (one year, includeSubDomains) where the controller takes it per
Ingress: F5 NGINX (nginx.org/hsts*) and HAProxy Ingress (haproxy-ingress.github.io/hsts*).
ingress-nginx has no per-Ingress HSTS annotation: it sends the header for every TLS host from
its controller ConfigMap (key hsts, on by default), which must stay on. A controller that
takes neither (Traefik: a headers Middleware with stsSeconds) gets its own through
ingress.annotations. The same set as services/controlplane.HSTSAnnotations, which the control
plane puts on every gemeente's Ingress and chart_test.go compares.
*/}}
{{- define "plein.hstsAnnotations" -}}
{{- toJson (dict
  "nginx.ingress.kubernetes.io/ssl-redirect" "true"
  "nginx.org/hsts" "true"
  "nginx.org/hsts-max-age" "31536000"
  "nginx.org/hsts-include-subdomains" "true"
  "haproxy-ingress.github.io/ssl-redirect" "true"
  "haproxy-ingress.github.io/hsts" "true"
  "haproxy-ingress.github.io/hsts-max-age" "31536000"
  "haproxy-ingress.github.io/hsts-include-subdomains" "true"
) }}
{{- end }}
