{{- define "scanschedule.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "scanschedule.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end -}}

{{- define "scanschedule.labels" -}}
{{ include "scanschedule.selectorLabels" . }}
app.kubernetes.io/part-of: scanschedule
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "scanschedule.serviceAccountName" -}}
{{- default (include "scanschedule.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "scanschedule.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "scanschedule.leaderElect" -}}
{{- $mode := toString .Values.leaderElection.mode -}}
{{- if eq $mode "auto" -}}{{ gt (int .Values.replicas) 1 }}{{- else if eq $mode "true" -}}true{{- else if eq $mode "false" -}}false{{- else -}}{{ fail "leaderElection.mode must be auto, true or false" }}{{- end -}}
{{- end -}}

{{- define "scanschedule.shards" -}}
{{- $shards := int .Values.shards -}}
{{- if or (lt $shards 1) (gt $shards 256) -}}{{ fail "shards must be a whole number from 1 to 256" }}{{- end -}}
{{- $shards -}}
{{- end -}}

{{/* The Leases the controller leads on (src/kube/controller.ts leaseName): one, or one per shard. */}}
{{- define "scanschedule.leaseNames" -}}
{{- $shards := include "scanschedule.shards" . | int -}}
{{- if eq $shards 1 -}}
[scanschedule.jmo.security]
{{- else -}}
[{{ range $i := until $shards }}{{ if $i }}, {{ end }}scanschedule.jmo.security-shard-{{ $i }}-of-{{ $shards }}{{ end }}]
{{- end -}}
{{- end -}}
