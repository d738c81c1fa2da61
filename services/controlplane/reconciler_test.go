package controlplane

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
)

// memSource is a registry in memory.
type memSource struct {
	mu      sync.Mutex
	tenants []Tenant
}

func (m *memSource) Tenants(context.Context) ([]Tenant, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.tenants), nil
}

func (m *memSource) set(ts ...Tenant) {
	m.mu.Lock()
	m.tenants = ts
	m.mu.Unlock()
}

// memSink keeps the last conditions per tenant.
type memSink struct {
	mu    sync.Mutex
	conds map[string][]Condition
	vers  map[string]int
}

func newMemSink() *memSink { return &memSink{conds: map[string][]Condition{}, vers: map[string]int{}} }

func (m *memSink) SetConditions(_ context.Context, id string, v int, c []Condition) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.conds[id], m.vers[id] = c, v
	return nil
}

func (m *memSink) get(id, typ string) Condition {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.conds[id] {
		if c.Type == typ {
			return c
		}
	}
	return Condition{}
}

func testConfig() Config {
	c, err := ParseConfig([]byte(`{
		"namespace": "plein-system", "ingressClass": "nginx", "clusterIssuer": "letsencrypt",
		"apiService": "plein-api", "image": "registry.example/plein:1.0", "envSecret": "plein-env",
		"postgres": {"port": 5432, "cidrs": ["10.20.0.0/16"]},
		"monitoringNamespaceSelector": {"kubernetes.io/metadata.name": "monitoring"}
	}`))
	if err != nil {
		panic(err)
	}
	return c
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func platformSecret() *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "plein-env", Namespace: "plein-system"},
		Data: map[string][]byte{"PLEIN_DATABASE_URL": []byte("postgres://app@db/plein"),
			"PLEIN_MIGRATE_DATABASE_URL": []byte("postgres://owner@db/plein")}}
}

var (
	zwolle   = Tenant{ID: "zwolle", Version: 3, Status: "active", Hosts: []string{"mijn.zwolle.example", "zwolle.plein.example"}}
	enschede = Tenant{ID: "enschede", Version: 1, Status: "active", Hosts: []string{"mijn.enschede.example"},
		Silo: &Silo{Workers: 3, CPU: "6", Memory: "12Gi"}}
)

func TestReconcileSharedTenantGetsAnIngress(t *testing.T) {
	ctx := t.Context()
	kube := fake.NewClientset(platformSecret())
	src, sink := &memSource{tenants: []Tenant{zwolle}}, newMemSink()
	r := NewReconciler(kube, src, sink, testConfig(), quiet(), nil)
	if _, err := r.ReconcileAll(ctx); err != nil {
		t.Fatal(err)
	}
	ing, err := kube.NetworkingV1().Ingresses("plein-system").Get(ctx, "tenant-zwolle", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ing.Annotations["cert-manager.io/cluster-issuer"]; got != "letsencrypt" {
		t.Errorf("issuer annotation = %q", got)
	}
	for k, want := range wantHSTS {
		if got := ing.Annotations[k]; got != want {
			t.Errorf("annotation %s = %q, want %q (HTTPS only)", k, got, want)
		}
	}
	if ing.Spec.IngressClassName == nil || *ing.Spec.IngressClassName != "nginx" {
		t.Errorf("ingress class = %v", ing.Spec.IngressClassName)
	}
	if len(ing.Spec.TLS) != 1 || ing.Spec.TLS[0].SecretName != "tenant-zwolle-tls" || !slices.Equal(ing.Spec.TLS[0].Hosts, zwolle.Hosts) {
		t.Errorf("tls = %+v", ing.Spec.TLS)
	}
	var hosts []string
	for _, rule := range ing.Spec.Rules {
		hosts = append(hosts, rule.Host)
		p := rule.HTTP.Paths[0]
		if p.Path != "/" || *p.PathType != networkingv1.PathTypePrefix || p.Backend.Service.Name != "plein-api" || p.Backend.Service.Port.Name != "http" {
			t.Errorf("rule %s: path %+v", rule.Host, p)
		}
	}
	if !slices.Equal(hosts, zwolle.Hosts) {
		t.Errorf("rule hosts = %v", hosts)
	}
	if ing.Labels[LabelTenant] != "zwolle" || ing.Labels[LabelManagedBy] != ManagedByValue {
		t.Errorf("labels = %v", ing.Labels)
	}
	// A shared tenant gets no namespace.
	nss, _ := kube.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if len(nss.Items) != 0 {
		t.Errorf("namespaces = %d, want none for a shared tenant", len(nss.Items))
	}
	for typ, want := range map[string]string{CondIngress: "True", CondSilo: "True", CondReady: "True"} {
		if c := sink.get("zwolle", typ); c.Status != want {
			t.Errorf("condition %s = %+v, want %s", typ, c, want)
		}
	}
	if sink.vers["zwolle"] != 3 {
		t.Errorf("observed version = %d, want 3", sink.vers["zwolle"])
	}
}

// wantHSTS is what a gemeente's Ingress must carry for HTTPS only, written out here
// so that emptying HSTSAnnotations fails the tests.
var wantHSTS = map[string]string{
	"nginx.ingress.kubernetes.io/ssl-redirect": "true",
	"nginx.org/hsts":                                    "true",
	"nginx.org/hsts-max-age":                            "31536000",
	"nginx.org/hsts-include-subdomains":                 "true",
	"haproxy-ingress.github.io/ssl-redirect":            "true",
	"haproxy-ingress.github.io/hsts":                    "true",
	"haproxy-ingress.github.io/hsts-max-age":            "31536000",
	"haproxy-ingress.github.io/hsts-include-subdomains": "true",
}

// TestIngressIsHTTPSOnly: every gemeente's Ingress asks for HSTS and the redirect to
// HTTPS, with or without a cert-manager issuer, and with no configuration snippet.
func TestIngressIsHTTPSOnly(t *testing.T) {
	for _, issuer := range []string{"", "letsencrypt"} {
		cfg := testConfig()
		cfg.ClusterIssuer = issuer
		got := cfg.ingress(zwolle).Annotations
		want := maps.Clone(wantHSTS)
		if issuer != "" {
			want[IssuerAnnot] = issuer
		}
		if !maps.Equal(got, want) {
			t.Errorf("issuer %q: annotations\n%v\nwant\n%v", issuer, got, want)
		}
		for k := range got {
			if strings.Contains(k, "snippet") {
				t.Errorf("issuer %q: annotation %s is a configuration snippet", issuer, k)
			}
		}
	}
	// The caller owns the map: changing one does not change the next.
	HSTSAnnotations()["nginx.org/hsts"] = "false"
	if HSTSAnnotations()["nginx.org/hsts"] != "true" {
		t.Error("HSTSAnnotations returned a shared map")
	}
}

func TestReconcileSiloTenant(t *testing.T) {
	ctx := t.Context()
	kube := fake.NewClientset(platformSecret())
	sink := newMemSink()
	r := NewReconciler(kube, &memSource{tenants: []Tenant{enschede}}, sink, testConfig(), quiet(), nil)
	if _, err := r.ReconcileAll(ctx); err != nil {
		t.Fatal(err)
	}
	ns, err := kube.CoreV1().Namespaces().Get(ctx, "plein-enschede", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ns.Labels["pod-security.kubernetes.io/enforce"] != "restricted" || ns.Labels[LabelTenant] != "enschede" {
		t.Errorf("namespace labels = %v", ns.Labels)
	}
	q, err := kube.CoreV1().ResourceQuotas("plein-enschede").Get(ctx, SiloQuotaName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cpu := q.Spec.Hard[corev1.ResourceLimitsCPU]; cpu.String() != "6" {
		t.Errorf("quota cpu = %s", cpu.String())
	}
	if mem := q.Spec.Hard[corev1.ResourceLimitsMemory]; mem.String() != "12Gi" {
		t.Errorf("quota memory = %s", mem.String())
	}
	np, err := kube.NetworkingV1().NetworkPolicies("plein-enschede").Get(ctx, SiloPolicyName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(np.Spec.PolicyTypes) != 2 || len(np.Spec.Egress) != 3 || np.Spec.Egress[1].To[0].IPBlock.CIDR != "10.20.0.0/16" {
		t.Errorf("network policy = %+v", np.Spec)
	}
	// Webhooks: HTTPS to public addresses only, never the metadata address.
	if https := np.Spec.Egress[2]; len(https.Ports) != 1 || https.Ports[0].Port.IntValue() != 443 ||
		https.To[0].IPBlock.CIDR != "0.0.0.0/0" || !slices.Contains(https.To[0].IPBlock.Except, "169.254.0.0/16") ||
		!slices.Contains(https.To[0].IPBlock.Except, "10.0.0.0/8") {
		t.Errorf("silo egress to the webhooks = %+v, want 443 to 0.0.0.0/0 except the non-public ranges", https)
	}
	sec, err := kube.CoreV1().Secrets("plein-enschede").Get(ctx, SiloEnvSecret, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sec.Data) != 1 || string(sec.Data["PLEIN_DATABASE_URL"]) != "postgres://app@db/plein" {
		t.Errorf("copied secret has keys %v, want only PLEIN_DATABASE_URL (never the owner's URL)", slices.Sorted(maps.Keys(sec.Data)))
	}
	d, err := kube.AppsV1().Deployments("plein-enschede").Get(ctx, SiloWorkerName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *d.Spec.Replicas != 3 {
		t.Errorf("replicas = %d", *d.Spec.Replicas)
	}
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	if !slices.Equal(c.Args, []string{"work", "--tenant", "enschede"}) || c.Image != "registry.example/plein:1.0" {
		t.Errorf("container = %v %s", c.Args, c.Image)
	}
	if sc := c.SecurityContext; sc == nil || !*sc.ReadOnlyRootFilesystem || !*sc.RunAsNonRoot || *sc.AllowPrivilegeEscalation {
		t.Errorf("container security context = %+v", sc)
	}
	if *pod.AutomountServiceAccountToken {
		t.Error("silo workers must not mount a service account token")
	}
	for k, v := range d.Spec.Selector.MatchLabels {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("the selector %s=%s does not select the pods", k, v)
		}
	}
	// The fake has no controllers: the workers never become available.
	if c := sink.get("enschede", CondSilo); c.Status != "False" || c.Reason != "WorkersNotAvailable" {
		t.Errorf("silo condition = %+v", c)
	}
	if c := sink.get("enschede", CondReady); c.Status != "False" || c.Reason != "SiloWorkersNotAvailable" {
		t.Errorf("ready condition = %+v", c)
	}
	// Once the deployment reports its workers, the tenant is ready.
	d.Status.ObservedGeneration, d.Status.AvailableReplicas = d.Generation, 3
	if _, err := kube.AppsV1().Deployments("plein-enschede").UpdateStatus(ctx, d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReconcileTenant(ctx, "enschede"); err != nil {
		t.Fatal(err)
	}
	if c := sink.get("enschede", CondReady); c.Status != "True" {
		t.Errorf("ready condition after the rollout = %+v", c)
	}
}

func TestReconcileFollowsChangesAndRemovesWhatIsNotNeeded(t *testing.T) {
	ctx := t.Context()
	// An Ingress and a namespace that are not the control plane's: never touched.
	foreignIng := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: "tenant-other", Namespace: "plein-system",
		Labels: map[string]string{LabelTenant: "zwolle"}}}
	foreignNS := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "plein-zwolle", Labels: map[string]string{LabelTenant: "zwolle"}}}
	kube := fake.NewClientset(platformSecret(), foreignIng, foreignNS)
	src, sink := &memSource{tenants: []Tenant{zwolle, enschede}}, newMemSink()
	r := NewReconciler(kube, src, sink, testConfig(), quiet(), nil)
	if _, err := r.ReconcileAll(ctx); err != nil {
		t.Fatal(err)
	}

	// Zwolle moves a host; Enschede becomes shared.
	z := zwolle
	z.Hosts, z.Version = []string{"mijn.zwolle.example", "werk.zwolle.example"}, 4
	e := enschede
	e.Silo, e.Version = nil, 2
	src.set(z, e)
	res, err := r.ReconcileAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Deleted, []string{"Namespace plein-enschede"}) {
		t.Errorf("deleted = %v, want the silo namespace only", res.Deleted)
	}
	ing, _ := kube.NetworkingV1().Ingresses("plein-system").Get(ctx, "tenant-zwolle", metav1.GetOptions{})
	var hosts []string
	for _, rule := range ing.Spec.Rules {
		hosts = append(hosts, rule.Host)
	}
	if !slices.Equal(hosts, z.Hosts) || !slices.Equal(ing.Spec.TLS[0].Hosts, z.Hosts) {
		t.Errorf("hosts after the change = %v, tls %v", hosts, ing.Spec.TLS[0].Hosts)
	}

	// Zwolle is offboarded: it leaves the registry's list, and its Ingress goes.
	src.set(e)
	if _, err := r.ReconcileTenant(ctx, "zwolle"); err != nil {
		t.Fatal(err)
	}
	if _, err := kube.NetworkingV1().Ingresses("plein-system").Get(ctx, "tenant-zwolle", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the offboarded tenant's ingress: err = %v, want not found", err)
	}
	if _, err := kube.NetworkingV1().Ingresses("plein-system").Get(ctx, "tenant-enschede", metav1.GetOptions{}); err != nil {
		t.Errorf("the other tenant's ingress: %v", err)
	}
	if _, err := kube.NetworkingV1().Ingresses("plein-system").Get(ctx, "tenant-other", metav1.GetOptions{}); err != nil {
		t.Errorf("an unmanaged ingress was touched: %v", err)
	}
	if _, err := kube.CoreV1().Namespaces().Get(ctx, "plein-zwolle", metav1.GetOptions{}); err != nil {
		t.Errorf("an unmanaged namespace was touched: %v", err)
	}
}

func TestReconcileReportsAFailingTenantAndGoesOn(t *testing.T) {
	ctx := t.Context()
	// No env Secret in the platform namespace: the silo cannot be built.
	kube := fake.NewClientset()
	sink := newMemSink()
	long := Tenant{ID: "a23456789012345678901234567890123456789012345678901234567890", Version: 1, Status: "active", Hosts: []string{"x.example"}}
	r := NewReconciler(kube, &memSource{tenants: []Tenant{zwolle, long}}, sink, testConfig(), quiet(), nil)
	res, err := r.ReconcileAll(ctx)
	if err == nil || res.Failed[long.ID] == nil {
		t.Fatalf("err = %v, failed = %v: want the long id to fail", err, res.Failed)
	}
	if c := sink.get(long.ID, CondIngress); c.Status != "False" || c.Reason != "InvalidName" {
		t.Errorf("ingress condition = %+v", c)
	}
	if c := sink.get("zwolle", CondReady); c.Status != "True" {
		t.Errorf("the other tenant: %+v", c)
	}

	// A silo without the env Secret to copy: the pass fails before touching anything.
	r = NewReconciler(kube, &memSource{tenants: []Tenant{enschede}}, newMemSink(), testConfig(), quiet(), nil)
	if _, err := r.ReconcileAll(ctx); err == nil {
		t.Fatal("a silo without the platform's env Secret: want an error")
	}
}

func TestParseConfigRefusesBadInput(t *testing.T) {
	for name, in := range map[string]string{
		"unknown key":  `{"namespace":"p","apiService":"a","image":"i","nope":1}`,
		"no image":     `{"namespace":"p","apiService":"a"}`,
		"bad ns":       `{"namespace":"P_S","apiService":"a","image":"i"}`,
		"bad quantity": `{"namespace":"p","apiService":"a","image":"i","workerResources":{"limitsCPU":"lots"}}`,
		"bad resync":   `{"namespace":"p","apiService":"a","image":"i","resync":"10ms"}`,
		"bad policy":   `{"namespace":"p","apiService":"a","image":"i","imagePullPolicy":"Sometimes"}`,
	} {
		if _, err := ParseConfig([]byte(in)); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	c, err := ParseConfig([]byte(`{"namespace":"p","apiService":"a","image":"i"}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.APIPort != "http" || c.LeaseName != DefaultLeaseName || c.SiloNamespacePrefix != "plein-" {
		t.Errorf("defaults = %+v", c)
	}
}

var _ kubernetes.Interface = (*fake.Clientset)(nil)
