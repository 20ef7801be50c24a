/**
 * Field numbers of the Kubernetes protobuf wire format (k8s.io/api generated.proto) for the kinds
 * clients send as `application/vnd.kubernetes.protobuf` — kubectl 1.32+ typed clients do for
 * every `kubectl create <kind>` generator. Only field numbers and JSON names are needed to turn
 * the wire back into Kubernetes JSON; this is a hand-written table, not a copy of the .proto.
 *
 * Syntax per message: space-separated `jsonName=number:type` where type is
 *   s (string, default) | b (bool) | i32 | i64 | by (bytes → base64) | a message name |
 *   m<type> (map<string, type>) ; suffix [] = repeated ; suffix ! = keep zero values
 *   (pointer fields, where 0/false differ from unset) ; prefix ^ on the name = inline (Go embedding).
 */

const MESSAGES: Record<string, string> = {
  // ---- runtime / meta
  Unknown: 'typeMeta=1:TypeMeta raw=2:by contentEncoding=3 contentType=4',
  TypeMeta: 'apiVersion=1 kind=2',
  ObjectMeta: 'name=1 generateName=2 namespace=3 selfLink=4 uid=5 resourceVersion=6 generation=7:i64 creationTimestamp=8:Time deletionTimestamp=9:Time deletionGracePeriodSeconds=10:i64! labels=11:m<s> annotations=12:m<s> ownerReferences=13:OwnerReference[] finalizers=14:s[]',
  OwnerReference: 'kind=1 name=3 uid=4 apiVersion=5 controller=6:b! blockOwnerDeletion=7:b!',
  LabelSelector: 'matchLabels=1:m<s> matchExpressions=2:LabelSelectorRequirement[]',
  LabelSelectorRequirement: 'key=1 operator=2 values=3:s[]',
  DeleteOptions: 'gracePeriodSeconds=1:i64! preconditions=2:Preconditions orphanDependents=3:b! propagationPolicy=4 dryRun=5:s[]',
  Preconditions: 'uid=1 resourceVersion=2',
  Empty: '',
  // ---- core/v1
  ConfigMap: 'metadata=1:ObjectMeta data=2:m<s> binaryData=3:m<by> immutable=4:b!',
  Secret: 'metadata=1:ObjectMeta data=2:m<by> type=3 stringData=4:m<s> immutable=5:b!',
  Namespace: 'metadata=1:ObjectMeta spec=2:NamespaceSpec status=3:Empty',
  NamespaceSpec: 'finalizers=1:s[]',
  ServiceAccount: 'metadata=1:ObjectMeta secrets=2:ObjectReference[] imagePullSecrets=3:LocalObjectReference[] automountServiceAccountToken=4:b!',
  ObjectReference: 'kind=1 namespace=2 name=3 uid=4 apiVersion=5 resourceVersion=6 fieldPath=7',
  LocalObjectReference: 'name=1',
  ResourceQuota: 'metadata=1:ObjectMeta spec=2:ResourceQuotaSpec status=3:Empty',
  ResourceQuotaSpec: 'hard=1:m<Quantity> scopes=2:s[] scopeSelector=3:ScopeSelector',
  ScopeSelector: 'matchExpressions=1:ScopedResourceSelectorRequirement[]',
  ScopedResourceSelectorRequirement: 'scopeName=1 operator=2 values=3:s[]',
  Service: 'metadata=1:ObjectMeta spec=2:ServiceSpec status=3:ServiceStatus',
  ServiceSpec: 'ports=1:ServicePort[] selector=2:m<s> clusterIP=3 type=4 externalIPs=5:s[] sessionAffinity=7 loadBalancerIP=8 loadBalancerSourceRanges=9:s[] externalName=10 externalTrafficPolicy=11 healthCheckNodePort=12:i32 publishNotReadyAddresses=13:b sessionAffinityConfig=14:SessionAffinityConfig ipFamilyPolicy=17 clusterIPs=18:s[] ipFamilies=19:s[] allocateLoadBalancerNodePorts=20:b! loadBalancerClass=21 internalTrafficPolicy=22 trafficDistribution=23',
  ServicePort: 'name=1 protocol=2 port=3:i32 targetPort=4:IntOrString nodePort=5:i32 appProtocol=6',
  ServiceStatus: 'loadBalancer=1:LoadBalancerStatus',
  LoadBalancerStatus: 'ingress=1:LoadBalancerIngress[]',
  LoadBalancerIngress: 'ip=1 hostname=2 ipMode=3',
  SessionAffinityConfig: 'clientIP=1:ClientIPConfig',
  ClientIPConfig: 'timeoutSeconds=1:i32!',
  Pod: 'metadata=1:ObjectMeta spec=2:PodSpec status=3:Empty',
  PodTemplateSpec: 'metadata=1:ObjectMeta spec=2:PodSpec',
  PodSpec: 'volumes=1:Volume[] containers=2:Container[] restartPolicy=3 terminationGracePeriodSeconds=4:i64! activeDeadlineSeconds=5:i64! dnsPolicy=6 nodeSelector=7:m<s> serviceAccountName=8 serviceAccount=9 nodeName=10 hostNetwork=11:b hostPID=12:b hostIPC=13:b securityContext=14:PodSecurityContext imagePullSecrets=15:LocalObjectReference[] hostname=16 subdomain=17 schedulerName=19 initContainers=20:Container[] automountServiceAccountToken=21:b! tolerations=22:Toleration[] priorityClassName=24 priority=25:i32! shareProcessNamespace=27:b! runtimeClassName=29 enableServiceLinks=30:b! preemptionPolicy=31 overhead=32:m<Quantity> setHostnameAsFQDN=35:b! hostUsers=37:b!',
  PodSecurityContext: 'runAsUser=2:i64! runAsNonRoot=3:b! supplementalGroups=4:i64[] fsGroup=5:i64! runAsGroup=6:i64!',
  Toleration: 'key=1 operator=2 value=3 effect=4 tolerationSeconds=5:i64!',
  Container: 'name=1 image=2 command=3:s[] args=4:s[] workingDir=5 ports=6:ContainerPort[] env=7:EnvVar[] resources=8:ResourceRequirements volumeMounts=9:VolumeMount[] livenessProbe=10:Probe readinessProbe=11:Probe terminationMessagePath=13 imagePullPolicy=14 securityContext=15:SecurityContext stdin=16:b stdinOnce=17:b tty=18:b envFrom=19:EnvFromSource[] terminationMessagePolicy=20 startupProbe=22:Probe restartPolicy=24',
  ContainerPort: 'name=1 hostPort=2:i32 containerPort=3:i32 protocol=4 hostIP=5',
  EnvVar: 'name=1 value=2 valueFrom=3:EnvVarSource',
  EnvVarSource: 'fieldRef=1:ObjectFieldSelector resourceFieldRef=2:ResourceFieldSelector configMapKeyRef=3:KeySelector secretKeyRef=4:KeySelector',
  ObjectFieldSelector: 'apiVersion=1 fieldPath=2',
  ResourceFieldSelector: 'containerName=1 resource=2 divisor=3:Quantity',
  KeySelector: '^localObjectReference=1:LocalObjectReference key=2 optional=3:b!',
  EnvFromSource: 'prefix=1 configMapRef=2:EnvSource secretRef=3:EnvSource',
  EnvSource: '^localObjectReference=1:LocalObjectReference optional=2:b!',
  ResourceRequirements: 'limits=1:m<Quantity> requests=2:m<Quantity>',
  VolumeMount: 'name=1 readOnly=2:b mountPath=3 subPath=4 mountPropagation=5 subPathExpr=6',
  Volume: 'name=1 ^volumeSource=2:VolumeSource',
  VolumeSource: 'hostPath=1:HostPathVolumeSource emptyDir=2:EmptyDirVolumeSource secret=6:SecretVolumeSource nfs=7:NFSVolumeSource persistentVolumeClaim=10:PVCVolumeSource configMap=19:ConfigMapVolumeSource',
  HostPathVolumeSource: 'path=1 type=2',
  EmptyDirVolumeSource: 'medium=1 sizeLimit=2:Quantity',
  SecretVolumeSource: 'secretName=1 items=2:KeyToPath[] defaultMode=3:i32! optional=4:b!',
  ConfigMapVolumeSource: '^localObjectReference=1:LocalObjectReference items=2:KeyToPath[] defaultMode=3:i32! optional=4:b!',
  NFSVolumeSource: 'server=1 path=2 readOnly=3:b',
  PVCVolumeSource: 'claimName=1 readOnly=2:b',
  KeyToPath: 'key=1 path=2 mode=3:i32!',
  Probe: '^handler=1:ProbeHandler initialDelaySeconds=2:i32 timeoutSeconds=3:i32 periodSeconds=4:i32 successThreshold=5:i32 failureThreshold=6:i32 terminationGracePeriodSeconds=7:i64!',
  ProbeHandler: 'exec=1:ExecAction httpGet=2:HTTPGetAction tcpSocket=3:TCPSocketAction',
  ExecAction: 'command=1:s[]',
  HTTPGetAction: 'path=1 port=2:IntOrString host=3 scheme=4 httpHeaders=5:HTTPHeader[]',
  HTTPHeader: 'name=1 value=2',
  TCPSocketAction: 'port=1:IntOrString host=2',
  SecurityContext: 'capabilities=1:Capabilities privileged=2:b! runAsUser=4:i64! runAsNonRoot=5:b! readOnlyRootFilesystem=6:b! allowPrivilegeEscalation=7:b! runAsGroup=8:i64!',
  Capabilities: 'add=1:s[] drop=2:s[]',
  Binding: 'metadata=1:ObjectMeta target=2:ObjectReference',
  // ---- apps/v1
  Deployment: 'metadata=1:ObjectMeta spec=2:DeploymentSpec status=3:Empty',
  DeploymentSpec: 'replicas=1:i32! selector=2:LabelSelector template=3:PodTemplateSpec strategy=4:DeploymentStrategy minReadySeconds=5:i32 revisionHistoryLimit=6:i32! paused=7:b progressDeadlineSeconds=9:i32!',
  DeploymentStrategy: 'type=1 rollingUpdate=2:RollingUpdateDeployment',
  RollingUpdateDeployment: 'maxUnavailable=1:IntOrString maxSurge=2:IntOrString',
  // ---- batch/v1
  Job: 'metadata=1:ObjectMeta spec=2:JobSpec status=3:Empty',
  JobSpec: 'parallelism=1:i32! completions=2:i32! activeDeadlineSeconds=3:i64! selector=4:LabelSelector manualSelector=5:b! template=6:PodTemplateSpec backoffLimit=7:i32! ttlSecondsAfterFinished=8:i32! completionMode=9 suspend=10:b! backoffLimitPerIndex=12:i32! maxFailedIndexes=13:i32! podReplacementPolicy=14 managedBy=15',
  CronJob: 'metadata=1:ObjectMeta spec=2:CronJobSpec status=3:Empty',
  CronJobSpec: 'schedule=1 startingDeadlineSeconds=2:i64! concurrencyPolicy=3 suspend=4:b! jobTemplate=5:JobTemplateSpec successfulJobsHistoryLimit=6:i32! failedJobsHistoryLimit=7:i32! timeZone=8',
  JobTemplateSpec: 'metadata=1:ObjectMeta spec=2:JobSpec',
  // ---- policy/v1
  Eviction: 'metadata=1:ObjectMeta deleteOptions=2:DeleteOptions',
  PodDisruptionBudget: 'metadata=1:ObjectMeta spec=2:PodDisruptionBudgetSpec status=3:Empty',
  PodDisruptionBudgetSpec: 'minAvailable=1:IntOrString selector=2:LabelSelector maxUnavailable=3:IntOrString unhealthyPodEvictionPolicy=4',
  // ---- networking.k8s.io/v1
  Ingress: 'metadata=1:ObjectMeta spec=2:IngressSpec status=3:Empty',
  IngressSpec: 'defaultBackend=1:IngressBackend tls=2:IngressTLS[] rules=3:IngressRule[] ingressClassName=4',
  IngressBackend: 'service=4:IngressServiceBackend',
  IngressServiceBackend: 'name=1 port=2:ServiceBackendPort',
  ServiceBackendPort: 'name=1 number=2:i32',
  IngressTLS: 'hosts=1:s[] secretName=2',
  IngressRule: 'host=1 ^ingressRuleValue=2:IngressRuleValue',
  IngressRuleValue: 'http=1:HTTPIngressRuleValue',
  HTTPIngressRuleValue: 'paths=1:HTTPIngressPath[]',
  HTTPIngressPath: 'path=1 backend=2:IngressBackend pathType=3',
  // ---- scheduling.k8s.io/v1
  PriorityClass: 'metadata=1:ObjectMeta value=2:i32! globalDefault=3:b description=4 preemptionPolicy=5',
  // ---- rbac.authorization.k8s.io/v1
  Role: 'metadata=1:ObjectMeta rules=2:PolicyRule[]',
  ClusterRole: 'metadata=1:ObjectMeta rules=2:PolicyRule[]',
  PolicyRule: 'verbs=1:s[] apiGroups=2:s[] resources=3:s[] resourceNames=4:s[] nonResourceURLs=5:s[]',
  RoleBinding: 'metadata=1:ObjectMeta subjects=2:Subject[] roleRef=3:RoleRef',
  ClusterRoleBinding: 'metadata=1:ObjectMeta subjects=2:Subject[] roleRef=3:RoleRef',
  Subject: 'kind=1 apiGroup=2 name=3 namespace=4',
  RoleRef: 'apiGroup=1 kind=2 name=3',
  // ---- authorization.k8s.io/v1
  SelfSubjectAccessReview: 'metadata=1:ObjectMeta spec=2:SelfSubjectAccessReviewSpec status=3:Empty',
  SelfSubjectAccessReviewSpec: 'resourceAttributes=1:ResourceAttributes nonResourceAttributes=2:NonResourceAttributes',
  ResourceAttributes: 'namespace=1 verb=2 group=3 version=4 resource=5 subresource=6 name=7',
  NonResourceAttributes: 'path=1 verb=2',
  SelfSubjectRulesReview: 'metadata=1:ObjectMeta spec=2:SelfSubjectRulesReviewSpec status=3:Empty',
  SelfSubjectRulesReviewSpec: 'namespace=1',
  // ---- authentication.k8s.io/v1 (kubectl create token, kubectl auth whoami)
  SelfSubjectReview: 'metadata=1:ObjectMeta status=2:Empty',
  TokenRequest: 'metadata=1:ObjectMeta spec=2:TokenRequestSpec status=3:Empty',
  TokenRequestSpec: 'audiences=1:s[] boundObjectRef=3:BoundObjectReference expirationSeconds=4:i64',
  BoundObjectReference: 'kind=1 apiVersion=2 name=3 uid=4',
  // ---- certificates.k8s.io/v1 (kubectl certificate approve/deny send the whole object to /approval)
  CertificateSigningRequest: 'metadata=1:ObjectMeta spec=2:CertificateSigningRequestSpec status=3:CertificateSigningRequestStatus',
  CertificateSigningRequestSpec: 'request=1:by username=2 uid=3 groups=4:s[] usages=5:s[] extra=6:m<ExtraValue> signerName=7 expirationSeconds=8:i32!',
  ExtraValue: 'items=1:s[]',
  CertificateSigningRequestStatus: 'conditions=1:CertificateSigningRequestCondition[] certificate=2:by',
  CertificateSigningRequestCondition: 'type=1 reason=2 message=3 lastUpdateTime=4:Time lastTransitionTime=5:Time status=6',
  // ---- autoscaling/v1
  Scale: 'metadata=1:ObjectMeta spec=2:ScaleSpec status=3:Empty',
  ScaleSpec: 'replicas=1:i32!',
  HorizontalPodAutoscaler: 'metadata=1:ObjectMeta spec=2:HorizontalPodAutoscalerSpec status=3:Empty',
  HorizontalPodAutoscalerSpec: 'scaleTargetRef=1:CrossVersionObjectReference minReplicas=2:i32! maxReplicas=3:i32 targetCPUUtilizationPercentage=4:i32!',
  CrossVersionObjectReference: 'kind=1 name=2 apiVersion=3',
};

/** One field of a message. */
export interface FieldSpec {
  name: string;
  /** Scalar code (s, b, i32, i64, by), a message name, or a special (Time, Quantity, IntOrString). */
  type: string;
  repeated: boolean;
  /** Value type of a map<string, T>. */
  mapOf?: string;
  /** Keep 0/false (pointer fields); other zero scalars are dropped as Go's omitempty does. */
  keepZero: boolean;
  /** Go-embedded struct: its fields appear in the parent's JSON. */
  inline: boolean;
}

/** Field number → spec, per message name. */
export type MessageSpec = Map<number, FieldSpec>;

/** Messages the wire has special JSON shapes for. */
export const SPECIAL_TYPES = new Set(['Time', 'Quantity', 'IntOrString']);

function parseMessage(name: string, text: string): MessageSpec {
  const out: MessageSpec = new Map();
  for (const entry of text.split(/\s+/).filter(Boolean)) {
    const m = /^(\^?)(\w+)=(\d+)(?::([\w<>]+?)(\[\])?(!)?)?$/.exec(entry);
    if (!m) throw new Error(`protobuf schema ${name}: bad entry ${entry}`);
    const [, inline, fieldName, num, rawType = 's', repeated, keep] = m;
    const map = /^m<(\w+)>$/.exec(rawType);
    out.set(Number(num), { name: fieldName, type: map ? 'map' : rawType, mapOf: map?.[1], repeated: !!repeated, keepZero: !!keep, inline: !!inline });
  }
  return out;
}

const PARSED = new Map(Object.entries(MESSAGES).map(([n, t]) => [n, parseMessage(n, t)]));

/** The spec of a message, or undefined when kubesim does not know it. */
export function messageSpec(name: string): MessageSpec | undefined {
  return PARSED.get(name);
}

/** Every message name referenced by the table (for the self-check test). */
export function referencedTypes(): string[] {
  const out = new Set<string>();
  for (const spec of PARSED.values()) for (const f of spec.values()) out.add(f.type === 'map' ? f.mapOf! : f.type);
  return [...out];
}
