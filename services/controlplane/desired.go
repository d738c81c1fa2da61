package controlplane

import (
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	networkingv1ac "k8s.io/client-go/applyconfigurations/networking/v1"
)

// Tenant is what the control plane needs to know of a gemeente: its config version in
// force, its lifecycle status, its portal hosts and, on the silo tier, its silo.
type Tenant struct {
	ID      string
	Version int
	Status  string
	Hosts   []string
	// Silo is nil for a tenant on the shared tier.
	Silo *Silo
}

// Silo is a silo tenant's size.
type Silo struct {
	Workers int32
	CPU     string // ResourceQuota, e.g. "4"
	Memory  string // ResourceQuota, e.g. "8Gi"
}

// Labels and names of the objects the control plane manages.
const (
	FieldManager    = "plein-controlplane"
	LabelManagedBy  = "app.kubernetes.io/managed-by"
	LabelPartOf     = "app.kubernetes.io/part-of"
	LabelComponent  = "app.kubernetes.io/component"
	LabelTenant     = "plein.nl/tenant"
	ManagedByValue  = "plein-controlplane"
	IssuerAnnot     = "cert-manager.io/cluster-issuer"
	SiloEnvSecret   = "plein-env"
	SiloWorkerName  = "plein-worker"
	SiloQuotaName   = "plein-silo"
	SiloPolicyName  = "plein-silo"
	ingressPrefix   = "tenant-"
	adminPort       = 9090
	managedSelector = LabelManagedBy + "=" + ManagedByValue
)

// IngressName is the name of a tenant's Ingress in the platform namespace.
func IngressName(id string) string { return ingressPrefix + id }

// TLSSecretName is the Secret cert-manager writes the tenant's certificate to.
func TLSSecretName(id string) string { return ingressPrefix + id + "-tls" }

// SiloNamespace is the namespace of a silo tenant.
func (c Config) SiloNamespace(id string) string { return c.SiloNamespacePrefix + id }

// checkNames reports a tenant whose object names Kubernetes would refuse (a long id
// with the namespace prefix goes over 63 characters).
func (c Config) checkNames(t Tenant) error {
	if msgs := validation.IsDNS1123Label(IngressName(t.ID) + "-tls"); len(msgs) > 0 {
		return fmt.Errorf("tenant id %q is too long for its Ingress and certificate names: %s", t.ID, msgs[0])
	}
	if t.Silo != nil {
		if msgs := validation.IsDNS1123Label(c.SiloNamespace(t.ID)); len(msgs) > 0 {
			return fmt.Errorf("silo namespace %q: %s", c.SiloNamespace(t.ID), msgs[0])
		}
	}
	return nil
}

func (c Config) labels(id, component string) map[string]string {
	return map[string]string{
		LabelManagedBy: ManagedByValue,
		LabelPartOf:    "plein",
		LabelComponent: component,
		LabelTenant:    id,
	}
}

// HSTSAnnotations are the Ingress annotations that ask for HTTPS only, every one
// understood without configuration snippets (which current ingress-nginx turns off,
// for good reason): redirect HTTP to HTTPS, and send Strict-Transport-Security for a
// year, includeSubDomains, where the controller takes it per Ingress — F5 NGINX
// (nginx.org/hsts*) and HAProxy Ingress (haproxy-ingress.github.io/hsts*). A
// controller ignores the others' keys. ingress-nginx has no per-Ingress HSTS
// annotation: it sends the header for every TLS host from its controller ConfigMap
// (hsts, on by default), which must stay on. The chart puts the same set on
// its own Ingress (ingress.hsts); its test compares the two.
func HSTSAnnotations() map[string]string {
	const year = "31536000"
	return map[string]string{
		"nginx.ingress.kubernetes.io/ssl-redirect": "true",
		"nginx.org/hsts":                                    "true",
		"nginx.org/hsts-max-age":                            year,
		"nginx.org/hsts-include-subdomains":                 "true",
		"haproxy-ingress.github.io/ssl-redirect":            "true",
		"haproxy-ingress.github.io/hsts":                    "true",
		"haproxy-ingress.github.io/hsts-max-age":            year,
		"haproxy-ingress.github.io/hsts-include-subdomains": "true",
	}
}

// ingress is the tenant's Ingress: one rule per portal host to the api Service, TLS
// for every host in one certificate that cert-manager issues, HTTPS only (HSTS).
func (c Config) ingress(t Tenant) *networkingv1ac.IngressApplyConfiguration {
	annotations := HSTSAnnotations()
	if c.ClusterIssuer != "" {
		annotations[IssuerAnnot] = c.ClusterIssuer
	}
	ing := networkingv1ac.Ingress(IngressName(t.ID), c.Namespace).
		WithLabels(c.labels(t.ID, "portal")).
		WithAnnotations(annotations)
	spec := networkingv1ac.IngressSpec().
		WithTLS(networkingv1ac.IngressTLS().WithHosts(t.Hosts...).WithSecretName(TLSSecretName(t.ID)))
	if c.IngressClass != "" {
		spec.WithIngressClassName(c.IngressClass)
	}
	for _, h := range t.Hosts {
		spec.WithRules(networkingv1ac.IngressRule().WithHost(h).WithHTTP(
			networkingv1ac.HTTPIngressRuleValue().WithPaths(
				networkingv1ac.HTTPIngressPath().WithPath("/").WithPathType(networkingv1.PathTypePrefix).
					WithBackend(networkingv1ac.IngressBackend().WithService(
						networkingv1ac.IngressServiceBackend().WithName(c.APIService).
							WithPort(networkingv1ac.ServiceBackendPort().WithName(c.APIPort)))))))
	}
	return ing.WithSpec(spec)
}

// namespace is a silo tenant's namespace, held to the restricted Pod Security Standard.
func (c Config) namespace(t Tenant) *corev1ac.NamespaceApplyConfiguration {
	l := c.labels(t.ID, "silo")
	l["pod-security.kubernetes.io/enforce"] = "restricted"
	l["pod-security.kubernetes.io/enforce-version"] = "latest"
	return corev1ac.Namespace(c.SiloNamespace(t.ID)).WithLabels(l)
}

// quota bounds what the silo may use: its CPU and memory, and a few pods beyond its
// workers for a rolling update.
func (c Config) quota(t Tenant) *corev1ac.ResourceQuotaApplyConfiguration {
	pods := resource.MustParse(strconv.Itoa(int(t.Silo.Workers)*2 + 2))
	return corev1ac.ResourceQuota(SiloQuotaName, c.SiloNamespace(t.ID)).
		WithLabels(c.labels(t.ID, "silo")).
		WithSpec(corev1ac.ResourceQuotaSpec().WithHard(corev1.ResourceList{
			corev1.ResourceRequestsCPU:    resource.MustParse(t.Silo.CPU),
			corev1.ResourceLimitsCPU:      resource.MustParse(t.Silo.CPU),
			corev1.ResourceRequestsMemory: resource.MustParse(t.Silo.Memory),
			corev1.ResourceLimitsMemory:   resource.MustParse(t.Silo.Memory),
			corev1.ResourcePods:           pods,
		}))
}

// NonPublicCIDRs are the IPv4 ranges outbound HTTPS may not reach: private, loopback,
// link-local (the cloud metadata address) and carrier-grade NAT. The chart excepts the
// same (plein.nonPublicCIDRs); platform/egress refuses them again at dial time.
func NonPublicCIDRs() []string {
	return []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8", "100.64.0.0/10"}
}

// networkPolicy lets nothing in but the scrape of the admin port, and nothing out but
// DNS, PostgreSQL, and HTTPS to public addresses (the silo's workers deliver its
// creditors' webhooks).
func (c Config) networkPolicy(t Tenant) *networkingv1ac.NetworkPolicyApplyConfiguration {
	tcp, udp := corev1.ProtocolTCP, corev1.ProtocolUDP
	port := func(p corev1.Protocol, n int) *networkingv1ac.NetworkPolicyPortApplyConfiguration {
		return networkingv1ac.NetworkPolicyPort().WithProtocol(p).WithPort(intstr.FromInt32(int32(n)))
	}
	scrape := networkingv1ac.NetworkPolicyPeer().WithNamespaceSelector(metav1ac.LabelSelector().WithMatchLabels(c.MonitoringNamespaceSelector))
	db := networkingv1ac.NetworkPolicyEgressRule().WithPorts(port(tcp, c.Postgres.Port))
	if len(c.Postgres.CIDRs) > 0 {
		for _, cidr := range c.Postgres.CIDRs {
			db.WithTo(networkingv1ac.NetworkPolicyPeer().WithIPBlock(networkingv1ac.IPBlock().WithCIDR(cidr)))
		}
	} else {
		db.WithTo(networkingv1ac.NetworkPolicyPeer().
			WithNamespaceSelector(metav1ac.LabelSelector().WithMatchLabels(c.Postgres.NamespaceSelector)).
			WithPodSelector(metav1ac.LabelSelector().WithMatchLabels(c.Postgres.PodSelector)))
	}
	return networkingv1ac.NetworkPolicy(SiloPolicyName, c.SiloNamespace(t.ID)).
		WithLabels(c.labels(t.ID, "silo")).
		WithSpec(networkingv1ac.NetworkPolicySpec().
			WithPodSelector(metav1ac.LabelSelector()).
			WithPolicyTypes(networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress).
			WithIngress(networkingv1ac.NetworkPolicyIngressRule().WithFrom(scrape).WithPorts(port(tcp, adminPort))).
			WithEgress(
				networkingv1ac.NetworkPolicyEgressRule().
					WithTo(networkingv1ac.NetworkPolicyPeer().WithNamespaceSelector(metav1ac.LabelSelector())).
					WithPorts(port(udp, 53), port(tcp, 53)),
				db,
				networkingv1ac.NetworkPolicyEgressRule().
					WithTo(networkingv1ac.NetworkPolicyPeer().WithIPBlock(networkingv1ac.IPBlock().WithCIDR("0.0.0.0/0").
						WithExcept(NonPublicCIDRs()...))).
					WithPorts(port(tcp, 443))))
}

// envSecret is the copy of the platform's env Secret in the silo namespace.
func (c Config) envSecret(t Tenant, data map[string][]byte) *corev1ac.SecretApplyConfiguration {
	return corev1ac.Secret(SiloEnvSecret, c.SiloNamespace(t.ID)).
		WithLabels(c.labels(t.ID, "silo")).
		WithType(corev1.SecretTypeOpaque).
		WithData(data)
}

// deployment is the silo's workers: `plein work --tenant <id>` works the tenant's own
// queues only. The pods run non-root on a read-only root filesystem, with no service
// account token.
func (c Config) deployment(t Tenant) *appsv1ac.DeploymentApplyConfiguration {
	sel := map[string]string{LabelTenant: t.ID, LabelComponent: "silo-worker"}
	podLabels := c.labels(t.ID, "silo-worker")
	r := c.WorkerResources
	probe := func(path string) *corev1ac.ProbeApplyConfiguration {
		return corev1ac.Probe().WithHTTPGet(corev1ac.HTTPGetAction().WithPath(path).WithPort(intstr.FromString("admin"))).
			WithPeriodSeconds(10).WithFailureThreshold(3)
	}
	container := corev1ac.Container().
		WithName("worker").
		WithImage(c.Image).
		WithImagePullPolicy(corev1.PullPolicy(c.ImagePullPolicy)).
		WithArgs("work", "--tenant", t.ID).
		WithEnv(corev1ac.EnvVar().WithName("PLEIN_ADMIN_ADDR").WithValue(":" + strconv.Itoa(adminPort))).
		WithEnvFrom(corev1ac.EnvFromSource().WithSecretRef(corev1ac.SecretEnvSource().WithName(SiloEnvSecret))).
		WithPorts(corev1ac.ContainerPort().WithName("admin").WithContainerPort(adminPort).WithProtocol(corev1.ProtocolTCP)).
		WithLivenessProbe(probe("/healthz")).
		WithReadinessProbe(probe("/readyz")).
		WithResources(corev1ac.ResourceRequirements().
			WithRequests(corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(r.RequestsCPU), corev1.ResourceMemory: resource.MustParse(r.RequestsMemory)}).
			WithLimits(corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(r.LimitsCPU), corev1.ResourceMemory: resource.MustParse(r.LimitsMemory)})).
		WithSecurityContext(corev1ac.SecurityContext().
			WithAllowPrivilegeEscalation(false).
			WithReadOnlyRootFilesystem(true).
			WithRunAsNonRoot(true).
			WithCapabilities(corev1ac.Capabilities().WithDrop("ALL")).
			WithSeccompProfile(corev1ac.SeccompProfile().WithType(corev1.SeccompProfileTypeRuntimeDefault))).
		WithVolumeMounts(corev1ac.VolumeMount().WithName("tmp").WithMountPath("/tmp"))
	return appsv1ac.Deployment(SiloWorkerName, c.SiloNamespace(t.ID)).
		WithLabels(c.labels(t.ID, "silo-worker")).
		WithSpec(appsv1ac.DeploymentSpec().
			WithReplicas(t.Silo.Workers).
			WithSelector(metav1ac.LabelSelector().WithMatchLabels(sel)).
			WithTemplate(corev1ac.PodTemplateSpec().
				WithLabels(podLabels).
				WithSpec(corev1ac.PodSpec().
					WithAutomountServiceAccountToken(false).
					WithTerminationGracePeriodSeconds(60).
					WithSecurityContext(corev1ac.PodSecurityContext().
						WithRunAsNonRoot(true).WithRunAsUser(65532).WithRunAsGroup(65532).WithFSGroup(65532).
						WithSeccompProfile(corev1ac.SeccompProfile().WithType(corev1.SeccompProfileTypeRuntimeDefault))).
					WithContainers(container).
					WithVolumes(corev1ac.Volume().WithName("tmp").WithEmptyDir(corev1ac.EmptyDirVolumeSource().WithSizeLimit(resource.MustParse("256Mi")))))))
}
