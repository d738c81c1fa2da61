// Package chart_test renders the plein Helm chart with the Helm library, as `helm
// install --dry-run` would, decodes every manifest into its Kubernetes type and checks
// the promises the chart makes: hardened pods, the migration hook, least-privilege RBAC,
// TLS on the Ingress, autoscaling and disruption budgets, and the optional monitoring.
package chart_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	"helm.sh/helm/v3/pkg/releaseutil"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"

	"github.com/plein-nl/plein/services/controlplane"
)

const (
	chartDir    = "."
	release     = "plein"
	namespace   = "plein-system"
	wantUID     = int64(65532)
	clusterIssu = "letsencrypt"
)

// rendered is one release rendered client-side: its objects by kind and name, hooks included.
type rendered struct {
	objects map[string]runtime.Object // "Kind/name"
	notes   string
}

// get returns the object kind/name as T, failing the test when it is missing.
func get[T runtime.Object](t *testing.T, r rendered, kind, name string) T {
	t.Helper()
	obj, ok := r.objects[kind+"/"+name]
	if !ok {
		t.Fatalf("no %s/%s rendered; have %v", kind, name, r.kinds())
	}
	typed, ok := obj.(T)
	if !ok {
		t.Fatalf("%s/%s decoded as %T", kind, name, obj)
	}
	return typed
}

func (r rendered) kinds() []string {
	keys := make([]string, 0, len(r.objects))
	for k := range r.objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (r rendered) ofKind(kind string) []runtime.Object {
	var out []runtime.Object
	for _, k := range r.kinds() {
		if strings.HasPrefix(k, kind+"/") {
			out = append(out, r.objects[k])
		}
	}
	return out
}

// render installs the chart client-only with the given values over values.yaml.
func render(t *testing.T, vals map[string]any) rendered {
	t.Helper()
	chrt, err := loader.Load(chartDir)
	if err != nil {
		t.Fatalf("load chart: %v", err)
	}
	install := action.NewInstall(&action.Configuration{Log: func(string, ...any) {}})
	install.ClientOnly = true
	install.DryRun = true
	install.ReleaseName = release
	install.Namespace = namespace
	install.KubeVersion = &chartutil.KubeVersion{Version: "v1.31.0", Major: "1", Minor: "31"}
	install.APIVersions = chartutil.VersionSet{"monitoring.coreos.com/v1"}
	rel, err := install.Run(chrt, vals)
	if err != nil {
		t.Fatalf("render chart: %v", err)
	}
	docs := []string{rel.Manifest}
	for _, h := range rel.Hooks {
		docs = append(docs, h.Manifest)
	}
	r := rendered{objects: map[string]runtime.Object{}, notes: rel.Info.Notes}
	for _, doc := range docs {
		for _, m := range releaseutil.SplitManifests(doc) {
			obj := decode(t, m)
			u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
			if err != nil {
				t.Fatalf("convert %T: %v", obj, err)
			}
			meta := unstructured.Unstructured{Object: u}
			key := obj.GetObjectKind().GroupVersionKind().Kind + "/" + meta.GetName()
			if _, dup := r.objects[key]; dup {
				t.Fatalf("%s rendered twice", key)
			}
			r.objects[key] = obj
		}
	}
	return r
}

// decode decodes one manifest with the Kubernetes scheme, strictly enough that a
// misspelt field fails, or as unstructured for kinds the scheme does not know.
func decode(t *testing.T, manifest string) runtime.Object {
	t.Helper()
	obj, gvk, err := scheme.Codecs.UniversalDeserializer().Decode([]byte(manifest), nil, nil)
	if err == nil {
		// Decoding drops the type meta; keep it for the kind lookups.
		obj.GetObjectKind().SetGroupVersionKind(*gvk)
		strict, _, err := serializerStrict().Decode([]byte(manifest), nil, nil)
		if err != nil || strict == nil {
			t.Fatalf("strict decode of %s: %v\n%s", gvk.Kind, err, manifest)
		}
		return obj
	}
	if !runtime.IsNotRegisteredError(err) {
		t.Fatalf("decode: %v\n%s", err, manifest)
	}
	js, err := yaml.YAMLToJSON([]byte(manifest))
	if err != nil {
		t.Fatalf("yaml: %v\n%s", err, manifest)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(js); err != nil {
		t.Fatalf("unstructured: %v\n%s", err, manifest)
	}
	return u
}

// serializerStrict decodes YAML and rejects unknown or duplicate fields.
func serializerStrict() runtime.Decoder {
	return kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme.Scheme, scheme.Scheme,
		kjson.SerializerOptions{Yaml: true, Strict: true})
}

var components = []string{"api", "worker", "controlplane"}

func name(component string) string { return release + "-" + component }

func TestDeploymentsAreHardened(t *testing.T) {
	t.Parallel()
	r := render(t, nil)
	if got := len(r.ofKind("Deployment")); got != len(components) {
		t.Fatalf("Deployments: got %d, want %d (%v)", got, len(components), r.kinds())
	}
	wantArgs := map[string]string{"api": "serve", "worker": "work", "controlplane": "controlplane"}
	for _, c := range components {
		d := get[*appsv1.Deployment](t, r, "Deployment", name(c))
		pod := d.Spec.Template.Spec
		if psc := pod.SecurityContext; psc == nil || !isTrue(psc.RunAsNonRoot) || psc.RunAsUser == nil || *psc.RunAsUser != wantUID ||
			psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
			t.Errorf("%s: pod securityContext %+v, want non-root uid %d with RuntimeDefault seccomp", c, psc, wantUID)
		}
		if pod.ServiceAccountName != name(c) {
			t.Errorf("%s: serviceAccountName %q, want %q", c, pod.ServiceAccountName, name(c))
		}
		if got, want := isTrue(pod.AutomountServiceAccountToken), c == "controlplane"; got != want {
			t.Errorf("%s: automountServiceAccountToken %v, want %v", c, got, want)
		}
		if len(pod.Containers) != 1 {
			t.Fatalf("%s: %d containers, want 1", c, len(pod.Containers))
		}
		ctr := pod.Containers[0]
		checkContainerHardened(t, c, ctr)
		if !slices.Equal(ctr.Args, []string{wantArgs[c]}) {
			t.Errorf("%s: args %v, want [%s]", c, ctr.Args, wantArgs[c])
		}
		checkProbe(t, c+" liveness", ctr.LivenessProbe, "/healthz")
		checkProbe(t, c+" readiness", ctr.ReadinessProbe, "/readyz")
		if ctr.Resources.Requests.Cpu().IsZero() || ctr.Resources.Requests.Memory().IsZero() ||
			ctr.Resources.Limits.Cpu().IsZero() || ctr.Resources.Limits.Memory().IsZero() {
			t.Errorf("%s: resources %+v, want cpu and memory requests and limits", c, ctr.Resources)
		}
		if !slices.ContainsFunc(ctr.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == "/tmp" }) {
			t.Errorf("%s: no writable /tmp beside the read-only root filesystem", c)
		}
	}
	// The HPAs own the replicas of api and worker; the control plane runs two leader-elected replicas.
	for _, c := range []string{"api", "worker"} {
		if d := get[*appsv1.Deployment](t, r, "Deployment", name(c)); d.Spec.Replicas != nil {
			t.Errorf("%s: replicas %d set beside its HPA", c, *d.Spec.Replicas)
		}
	}
	if d := get[*appsv1.Deployment](t, r, "Deployment", name("controlplane")); d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
		t.Errorf("controlplane: replicas %v, want 2", d.Spec.Replicas)
	}
}

func TestEachRoleGetsOnlyItsSecrets(t *testing.T) {
	t.Parallel()
	r := render(t, nil)
	want := map[string][]string{
		// The control plane's role serves the operators' API (api.operatorAPI, on by default).
		"api":          {"PLEIN_BSN_INDEX_KEY", "PLEIN_BSN_KEY", "PLEIN_CONTROL_DATABASE_URL", "PLEIN_DATABASE_URL", "PLEIN_OIDC_ISSUERS", "PLEIN_SESSION_KEY"},
		"worker":       {"PLEIN_BSN_INDEX_KEY", "PLEIN_BSN_KEY", "PLEIN_DATABASE_URL"},
		"controlplane": {"PLEIN_CONTROL_DATABASE_URL", "PLEIN_DATABASE_URL"},
	}
	for _, c := range components {
		d := get[*appsv1.Deployment](t, r, "Deployment", name(c))
		if got := secretKeys(t, c, d.Spec.Template.Spec.Containers[0], release+"-env"); !slices.Equal(got, want[c]) {
			t.Errorf("%s: secret keys %v, want %v", c, got, want[c])
		}
	}
	// Without the operators' API the api pods do not get the control plane's role.
	off := get[*appsv1.Deployment](t, render(t, map[string]any{"api": map[string]any{"operatorAPI": false}}), "Deployment", name("api"))
	if got, want := secretKeys(t, "api", off.Spec.Template.Spec.Containers[0], release+"-env"),
		[]string{"PLEIN_BSN_INDEX_KEY", "PLEIN_BSN_KEY", "PLEIN_DATABASE_URL", "PLEIN_OIDC_ISSUERS", "PLEIN_SESSION_KEY"}; !slices.Equal(got, want) {
		t.Errorf("api without the operators' API: secret keys %v, want %v", got, want)
	}
	// The api knows its Ingress, for the rate limits per client address.
	api := get[*appsv1.Deployment](t, r, "Deployment", name("api"))
	var proxies string
	for _, e := range api.Spec.Template.Spec.Containers[0].Env {
		if e.Name == "PLEIN_TRUSTED_PROXIES" {
			proxies = e.Value
		}
	}
	if proxies != "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10" {
		t.Errorf("api PLEIN_TRUSTED_PROXIES = %q, want the private ranges of the pods", proxies)
	}
	job := get[*batchv1.Job](t, r, "Job", name("migrate"))
	if got, want := secretKeys(t, "migrate", job.Spec.Template.Spec.Containers[0], release+"-env"),
		[]string{"PLEIN_DATABASE_URL", "PLEIN_MIGRATE_DATABASE_URL"}; !slices.Equal(got, want) {
		t.Errorf("migrate: secret keys %v, want %v", got, want)
	}
}

func TestChartSecretHasNoDefaults(t *testing.T) {
	t.Parallel()
	s := get[*corev1.Secret](t, render(t, nil), "Secret", release+"-env")
	if len(s.Data)+len(s.StringData) != 0 {
		t.Errorf("default Secret holds %d keys, want none (no secret defaults)", len(s.Data)+len(s.StringData))
	}
	if s.Annotations["helm.sh/hook"] != "pre-install,pre-upgrade" || s.Annotations["helm.sh/hook-weight"] != "-10" {
		t.Errorf("Secret annotations %v: it must exist before the migration hook", s.Annotations)
	}

	s = get[*corev1.Secret](t, render(t, map[string]any{"secret": map[string]any{
		"databaseURL": "postgres://plein_app@db/plein", "sessionKey": "c2Vzc2lvbg==",
	}}), "Secret", release+"-env")
	if got := string(s.Data["PLEIN_DATABASE_URL"]); got != "postgres://plein_app@db/plein" {
		t.Errorf("PLEIN_DATABASE_URL %q, want the value given", got)
	}
	if _, ok := s.Data["PLEIN_BSN_KEY"]; ok || len(s.Data) != 2 {
		t.Errorf("Secret keys %v, want only the two values given", slices.Sorted(maps.Keys(s.Data)))
	}
}

func TestMigrationJobIsAHook(t *testing.T) {
	t.Parallel()
	job := get[*batchv1.Job](t, render(t, nil), "Job", name("migrate"))
	wantAnn := map[string]string{
		"helm.sh/hook":               "pre-install,pre-upgrade",
		"helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded",
	}
	for k, v := range wantAnn {
		if got := job.Annotations[k]; got != v {
			t.Errorf("annotation %s = %q, want %q", k, got, v)
		}
	}
	ctr := job.Spec.Template.Spec.Containers[0]
	if !slices.Equal(ctr.Args, []string{"migrate", "up"}) {
		t.Errorf("args %v, want [migrate up]", ctr.Args)
	}
	if job.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy %q, want Never", job.Spec.Template.Spec.RestartPolicy)
	}
	checkContainerHardened(t, "migrate", ctr)
}

// grants flattens RBAC rules into "group/resource[name]" → sorted verbs, refusing
// wildcards and non-resource URLs.
func grants(t *testing.T, rules []rbacv1.PolicyRule) map[string][]string {
	t.Helper()
	got := map[string][]string{}
	for _, rule := range rules {
		if len(rule.NonResourceURLs) > 0 {
			t.Errorf("unexpected rule %+v", rule)
		}
		names := rule.ResourceNames
		if len(names) == 0 {
			names = []string{""}
		}
		for _, g := range rule.APIGroups {
			for _, res := range rule.Resources {
				for _, n := range names {
					key := g + "/" + res
					if n != "" {
						key += "[" + n + "]"
					}
					for _, v := range rule.Verbs {
						if g == "*" || res == "*" || v == "*" {
							t.Errorf("wildcard in rule %+v", rule)
						}
						got[key] = append(got[key], v)
					}
				}
			}
		}
	}
	for k := range got {
		sort.Strings(got[k])
		got[k] = slices.Compact(got[k])
	}
	return got
}

func TestControlPlaneRBACIsLeastPrivilege(t *testing.T) {
	t.Parallel()
	r := render(t, nil)
	role := get[*rbacv1.ClusterRole](t, r, "ClusterRole", name("controlplane"))
	crud := []string{"create", "delete", "get", "list", "patch", "update", "watch"}
	want := map[string][]string{
		"networking.k8s.io/ingresses":       crud,
		"networking.k8s.io/networkpolicies": crud,
		"/namespaces":                       crud,
		"/resourcequotas":                   crud,
		"apps/deployments":                  crud,
		"/events":                           {"create", "patch"},
		// The silo's copy of the env Secret: create cannot be limited by name; the
		// rest is limited to the copy's name.
		"/secrets":            {"create"},
		"/secrets[plein-env]": {"get", "patch", "update"},
	}
	if got := grants(t, role.Rules); fmt.Sprint(sortedMap(got)) != fmt.Sprint(sortedMap(want)) {
		t.Errorf("ClusterRole grants\n%v\nwant exactly\n%v", sortedMap(got), sortedMap(want))
	}
	b := get[*rbacv1.ClusterRoleBinding](t, r, "ClusterRoleBinding", name("controlplane"))
	wantSubject := rbacv1.Subject{Kind: "ServiceAccount", Name: name("controlplane"), Namespace: namespace}
	if b.RoleRef.Kind != "ClusterRole" || b.RoleRef.Name != role.Name || !slices.Equal(b.Subjects, []rbacv1.Subject{wantSubject}) {
		t.Errorf("ClusterRoleBinding %+v %+v, want %s bound to %+v", b.RoleRef, b.Subjects, role.Name, wantSubject)
	}

	// In the release's namespace only: the Lease, and reading the env Secret by name.
	nsRole := get[*rbacv1.Role](t, r, "Role", name("controlplane"))
	if nsRole.Namespace != namespace {
		t.Errorf("Role in namespace %q, want %q", nsRole.Namespace, namespace)
	}
	wantNS := map[string][]string{
		"coordination.k8s.io/leases":    {"create", "get", "update"},
		"/secrets[" + name("env") + "]": {"get"},
	}
	if got := grants(t, nsRole.Rules); fmt.Sprint(sortedMap(got)) != fmt.Sprint(sortedMap(wantNS)) {
		t.Errorf("Role grants\n%v\nwant exactly\n%v", sortedMap(got), sortedMap(wantNS))
	}
	rb := get[*rbacv1.RoleBinding](t, r, "RoleBinding", name("controlplane"))
	if rb.RoleRef.Kind != "Role" || rb.RoleRef.Name != nsRole.Name || !slices.Equal(rb.Subjects, []rbacv1.Subject{wantSubject}) {
		t.Errorf("RoleBinding %+v %+v, want %s bound to %+v", rb.RoleRef, rb.Subjects, nsRole.Name, wantSubject)
	}
	for _, c := range append(slices.Clone(components), "migrate") {
		get[*corev1.ServiceAccount](t, r, "ServiceAccount", name(c))
	}
	if n := len(r.ofKind("ClusterRole")) + len(r.ofKind("Role")) + len(r.ofKind("RoleBinding")) + len(r.ofKind("ClusterRoleBinding")); n != 4 {
		t.Errorf("%d roles and bindings, want the ClusterRole, the Role and their bindings", n)
	}
}

// TestControlPlaneConfig: the JSON the chart gives the control plane is one that
// `plein controlplane` accepts, and points at the chart's own objects.
func TestControlPlaneConfig(t *testing.T) {
	t.Parallel()
	r := render(t, map[string]any{"networkPolicy": map[string]any{"postgres": map[string]any{"cidrs": []any{"10.1.0.0/16"}}}})
	d := get[*appsv1.Deployment](t, r, "Deployment", name("controlplane"))
	var raw string
	for _, e := range d.Spec.Template.Spec.Containers[0].Env {
		if e.Name == "PLEIN_CONTROLPLANE" {
			raw = e.Value
		}
	}
	cfg, err := controlplane.ParseConfig([]byte(raw))
	if err != nil {
		t.Fatalf("the chart's PLEIN_CONTROLPLANE %s: %v", raw, err)
	}
	if cfg.Namespace != namespace || cfg.APIService != name("api") || cfg.EnvSecret != name("env") ||
		cfg.LeaseName != name("controlplane") || cfg.IngressClass != "nginx" || cfg.ClusterIssuer != "letsencrypt" ||
		!slices.Equal(cfg.Postgres.CIDRs, []string{"10.1.0.0/16"}) || !strings.HasPrefix(cfg.Image, "ghcr.io/plein-nl/plein:") {
		t.Errorf("config = %+v", cfg)
	}
	get[*corev1.Service](t, r, "Service", cfg.APIService)
	if port := get[*corev1.Service](t, r, "Service", cfg.APIService).Spec.Ports; !slices.ContainsFunc(port, func(p corev1.ServicePort) bool { return p.Name == cfg.APIPort }) {
		t.Errorf("the api Service has no port named %q", cfg.APIPort)
	}
}

func TestIngressHasTLS(t *testing.T) {
	t.Parallel()
	ing := get[*networkingv1.Ingress](t, render(t, map[string]any{"ingress": map[string]any{
		"hosts": []any{"plein.coop.nl", "api.plein.coop.nl"}, "clusterIssuer": "coop-issuer",
	}}), "Ingress", name("api"))
	if got := ing.Annotations["cert-manager.io/cluster-issuer"]; got != "coop-issuer" {
		t.Errorf("cert-manager.io/cluster-issuer = %q, want coop-issuer", got)
	}
	wantHosts := []string{"plein.coop.nl", "api.plein.coop.nl"}
	if len(ing.Spec.TLS) != 1 || !slices.Equal(ing.Spec.TLS[0].Hosts, wantHosts) || ing.Spec.TLS[0].SecretName == "" {
		t.Fatalf("tls %+v, want one entry for %v with a secret", ing.Spec.TLS, wantHosts)
	}
	if len(ing.Spec.Rules) != len(wantHosts) {
		t.Fatalf("%d rules, want %d", len(ing.Spec.Rules), len(wantHosts))
	}
	for i, rule := range ing.Spec.Rules {
		be := rule.HTTP.Paths[0].Backend.Service
		if rule.Host != wantHosts[i] || be.Name != name("api") || be.Port.Name != "http" {
			t.Errorf("rule %d: host %q → %s:%s, want %q → %s:http", i, rule.Host, be.Name, be.Port.Name, wantHosts[i], name("api"))
		}
	}

	def := get[*networkingv1.Ingress](t, render(t, nil), "Ingress", name("api"))
	if def.Annotations["cert-manager.io/cluster-issuer"] != clusterIssu || len(def.Spec.TLS) != 1 {
		t.Errorf("default Ingress: annotations %v, tls %+v", def.Annotations, def.Spec.TLS)
	}
}

// TestIngressIsHTTPSOnly: the Ingress asks for HSTS and the redirect to HTTPS with the
// same annotations the control plane puts on every gemeente's Ingress, none of them a
// configuration snippet; ingress.annotations override them, ingress.hsts=false drops them.
func TestIngressIsHTTPSOnly(t *testing.T) {
	t.Parallel()
	hsts := controlplane.HSTSAnnotations()
	if hsts["nginx.org/hsts"] != "true" || hsts["haproxy-ingress.github.io/hsts"] != "true" || hsts["nginx.org/hsts-max-age"] != "31536000" {
		t.Fatalf("controlplane.HSTSAnnotations() = %v, want HSTS for a year on F5 NGINX and HAProxy Ingress", hsts)
	}
	want := maps.Clone(hsts)
	want["cert-manager.io/cluster-issuer"] = clusterIssu
	ing := get[*networkingv1.Ingress](t, render(t, nil), "Ingress", name("api"))
	if !maps.Equal(ing.Annotations, want) {
		t.Errorf("annotations\n%v\nwant\n%v", ing.Annotations, want)
	}
	for k := range ing.Annotations {
		if strings.Contains(k, "snippet") {
			t.Errorf("annotation %s is a configuration snippet", k)
		}
	}

	ing = get[*networkingv1.Ingress](t, render(t, map[string]any{"ingress": map[string]any{
		"annotations": map[string]any{"nginx.org/hsts-max-age": "63072000", "example.org/extra": "x"},
	}}), "Ingress", name("api"))
	if got := ing.Annotations["nginx.org/hsts-max-age"]; got != "63072000" || ing.Annotations["example.org/extra"] != "x" ||
		ing.Annotations["nginx.org/hsts"] != "true" {
		t.Errorf("with ingress.annotations: %v, want them over the HSTS set", ing.Annotations)
	}

	ing = get[*networkingv1.Ingress](t, render(t, map[string]any{"ingress": map[string]any{"hsts": false}}), "Ingress", name("api"))
	if want := map[string]string{"cert-manager.io/cluster-issuer": clusterIssu}; !maps.Equal(ing.Annotations, want) {
		t.Errorf("with ingress.hsts=false: annotations %v, want %v", ing.Annotations, want)
	}
}

func TestServices(t *testing.T) {
	t.Parallel()
	r := render(t, nil)
	want := map[string][]string{"api": {"http:8080", "admin:9090"}, "worker": {"admin:9090"}, "controlplane": {"admin:9090"}}
	for _, c := range components {
		svc := get[*corev1.Service](t, r, "Service", name(c))
		var got []string
		for _, p := range svc.Spec.Ports {
			got = append(got, fmt.Sprintf("%s:%d", p.Name, p.Port))
		}
		if !slices.Equal(got, want[c]) {
			t.Errorf("%s: ports %v, want %v", c, got, want[c])
		}
		if svc.Spec.Selector["app.kubernetes.io/component"] != c {
			t.Errorf("%s: selector %v", c, svc.Spec.Selector)
		}
	}
}

func TestAutoscalingAndDisruptionBudgets(t *testing.T) {
	t.Parallel()
	r := render(t, nil)
	for _, c := range []string{"api", "worker"} {
		hpa := get[*autoscalingv2.HorizontalPodAutoscaler](t, r, "HorizontalPodAutoscaler", name(c))
		if ref := hpa.Spec.ScaleTargetRef; ref.Kind != "Deployment" || ref.Name != name(c) {
			t.Errorf("%s: HPA targets %+v", c, ref)
		}
		if len(hpa.Spec.Metrics) != 1 || hpa.Spec.Metrics[0].Resource == nil || hpa.Spec.Metrics[0].Resource.Name != corev1.ResourceCPU ||
			hpa.Spec.Metrics[0].Resource.Target.AverageUtilization == nil {
			t.Errorf("%s: HPA metrics %+v, want CPU utilisation", c, hpa.Spec.Metrics)
		}
		if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 2 || hpa.Spec.MaxReplicas < *hpa.Spec.MinReplicas {
			t.Errorf("%s: HPA replicas %v..%d", c, hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas)
		}
		pdb := get[*policyv1.PodDisruptionBudget](t, r, "PodDisruptionBudget", name(c))
		if pdb.Spec.MinAvailable == nil || pdb.Spec.Selector.MatchLabels["app.kubernetes.io/component"] != c {
			t.Errorf("%s: PDB %+v", c, pdb.Spec)
		}
	}
	if n := len(r.ofKind("HorizontalPodAutoscaler")) + len(r.ofKind("PodDisruptionBudget")); n != 4 {
		t.Errorf("%d HPAs and PDBs, want 4 (api and worker only)", n)
	}

	off := render(t, map[string]any{"api": map[string]any{"autoscaling": map[string]any{"enabled": false}}})
	if d := get[*appsv1.Deployment](t, off, "Deployment", name("api")); d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
		t.Errorf("api without autoscaling: replicas %v, want 2", d.Spec.Replicas)
	}
	if _, ok := off.objects["HorizontalPodAutoscaler/"+name("api")]; ok {
		t.Error("api HPA rendered with autoscaling off")
	}
}

func TestNetworkPolicies(t *testing.T) {
	t.Parallel()
	r := render(t, nil)
	wantIngress := map[string][]int32{"api": {8080, 9090}, "worker": {9090}, "controlplane": {9090}}
	for _, c := range components {
		np := get[*networkingv1.NetworkPolicy](t, r, "NetworkPolicy", name(c))
		if np.Spec.PodSelector.MatchLabels["app.kubernetes.io/component"] != c {
			t.Errorf("%s: podSelector %v", c, np.Spec.PodSelector)
		}
		// The egress of api and worker is the egress policy's alone: a rule here would
		// be unioned with it and undo its exceptions.
		wantTypes := []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
		if c == "controlplane" {
			wantTypes = append(wantTypes, networkingv1.PolicyTypeEgress)
		}
		if !slices.Equal(np.Spec.PolicyTypes, wantTypes) || (c != "controlplane" && len(np.Spec.Egress) != 0) {
			t.Errorf("%s: policyTypes %v with %d egress rules, want %v", c, np.Spec.PolicyTypes, len(np.Spec.Egress), wantTypes)
		}
		var ports []int32
		for _, rule := range np.Spec.Ingress {
			if len(rule.From) == 0 {
				t.Errorf("%s: ingress rule open to every source: %+v", c, rule)
			}
			for _, p := range rule.Ports {
				ports = append(ports, p.Port.IntVal)
			}
		}
		if !slices.Equal(ports, wantIngress[c]) {
			t.Errorf("%s: ingress ports %v, want %v", c, ports, wantIngress[c])
		}
		if c != "controlplane" {
			continue
		}
		postgres := false
		for _, rule := range np.Spec.Egress {
			for _, p := range rule.Ports {
				if p.Port.IntVal == 5432 && len(rule.To) > 0 {
					postgres = true
				}
			}
		}
		if !postgres {
			t.Errorf("%s: no egress to PostgreSQL on 5432", c)
		}
	}
}

// nonPublic are the ranges the api and worker never reach on 443.
var nonPublic = []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8", "100.64.0.0/10"}

// TestEgressPolicy: the api and worker pods, which post to URLs others gave (creditor
// webhooks, OIDC discovery), reach DNS, PostgreSQL and public HTTPS, and nothing else:
// above all not the cloud metadata address or the cluster's private networks.
func TestEgressPolicy(t *testing.T) {
	t.Parallel()
	r := render(t, nil)
	np := get[*networkingv1.NetworkPolicy](t, r, "NetworkPolicy", name("egress"))
	if !slices.Equal(np.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}) || len(np.Spec.Ingress) != 0 {
		t.Errorf("policyTypes %v with %d ingress rules, want [Egress] only", np.Spec.PolicyTypes, len(np.Spec.Ingress))
	}
	sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range components {
		pod := get[*appsv1.Deployment](t, r, "Deployment", name(c)).Spec.Template.Labels
		if got, want := sel.Matches(labels.Set(pod)), c != "controlplane"; got != want {
			t.Errorf("selects the %s pods = %v, want %v (selector %s)", c, got, want, sel)
		}
	}
	// Another release's pods in the namespace are not this policy's.
	other := get[*appsv1.Deployment](t, r, "Deployment", name("api")).Spec.Template.Labels
	other = maps.Clone(other)
	other["app.kubernetes.io/instance"] = "other"
	if sel.Matches(labels.Set(other)) {
		t.Errorf("selector %s selects another release's api pods", sel)
	}

	want := []string{
		"to [] ports [UDP/53 TCP/53]",
		"to [ns{kubernetes.io/metadata.name=postgres} pods{}] ports [TCP/5432]",
		"to [0.0.0.0/0 except " + strings.Join(nonPublic, ",") + "] ports [TCP/443]",
	}
	if got := egressRules(np); !slices.Equal(got, want) {
		t.Errorf("egress rules\n%s\nwant exactly\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The silo workers' policy (made by the control plane) excepts the same ranges.
	if cp := controlplane.NonPublicCIDRs(); !slices.Equal(cp, nonPublic) {
		t.Errorf("controlplane.NonPublicCIDRs() = %v, the chart excepts %v: keep them equal", cp, nonPublic)
	}
	if https := np.Spec.Egress[2].To[0].IPBlock; https == nil || !slices.ContainsFunc(https.Except, func(cidr string) bool {
		p, err := netip.ParsePrefix(cidr)
		return err == nil && p.Contains(netip.MustParseAddr("169.254.169.254"))
	}) {
		t.Errorf("the HTTPS rule %+v does not except the cloud metadata address 169.254.169.254", https)
	}

	// A managed PostgreSQL and an in-cluster OIDC issuer: extra CIDRs, on 443 only.
	r = render(t, map[string]any{"networkPolicy": map[string]any{
		"postgres": map[string]any{"cidrs": []any{"10.1.0.0/16"}, "port": 6432},
		"egress":   map[string]any{"extraCIDRs": []any{"10.20.0.15/32"}},
	}})
	want = []string{
		"to [] ports [UDP/53 TCP/53]",
		"to [10.1.0.0/16] ports [TCP/6432]",
		"to [0.0.0.0/0 except " + strings.Join(nonPublic, ",") + "] ports [TCP/443]",
		"to [10.20.0.15/32] ports [TCP/443]",
	}
	if got := egressRules(get[*networkingv1.NetworkPolicy](t, r, "NetworkPolicy", name("egress"))); !slices.Equal(got, want) {
		t.Errorf("egress rules with extra CIDRs\n%s\nwant exactly\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Off, or all network policies off: no egress policy.
	for _, vals := range []map[string]any{
		{"networkPolicy": map[string]any{"egress": map[string]any{"enabled": false}}},
		{"networkPolicy": map[string]any{"enabled": false}},
	} {
		if _, ok := render(t, vals).objects["NetworkPolicy/"+name("egress")]; ok {
			t.Errorf("egress policy rendered with %v", vals)
		}
	}
}

// egressRules writes each egress rule as one line: its peers and its ports.
func egressRules(np *networkingv1.NetworkPolicy) []string {
	var out []string
	for _, rule := range np.Spec.Egress {
		var peers, ports []string
		for _, p := range rule.To {
			switch {
			case p.IPBlock != nil && len(p.IPBlock.Except) > 0:
				peers = append(peers, p.IPBlock.CIDR+" except "+strings.Join(p.IPBlock.Except, ","))
			case p.IPBlock != nil:
				peers = append(peers, p.IPBlock.CIDR)
			default:
				peers = append(peers, "ns"+selectorString(p.NamespaceSelector)+" pods"+selectorString(p.PodSelector))
			}
		}
		for _, p := range rule.Ports {
			proto := corev1.ProtocolTCP
			if p.Protocol != nil {
				proto = *p.Protocol
			}
			ports = append(ports, fmt.Sprintf("%s/%s", proto, p.Port))
		}
		out = append(out, fmt.Sprintf("to %v ports %v", peers, ports))
	}
	return out
}

// selectorString is "{}" for nil or empty (everything), else "{k=v,…}".
func selectorString(s *metav1.LabelSelector) string {
	if s == nil {
		return "{}"
	}
	sel, err := metav1.LabelSelectorAsSelector(s)
	if err != nil {
		return "{invalid: " + err.Error() + "}"
	}
	return "{" + sel.String() + "}"
}

// TestSecurityAlerts: with the ServiceMonitor comes a PrometheusRule whose alerts watch
// the metrics the app exports for probing (consent refusals) and floods (429s).
func TestSecurityAlerts(t *testing.T) {
	t.Parallel()
	if rules := render(t, nil).ofKind("PrometheusRule"); len(rules) != 0 {
		t.Errorf("PrometheusRule rendered without the ServiceMonitor")
	}
	r := render(t, map[string]any{"serviceMonitor": map[string]any{"enabled": true}})
	pr := get[*unstructured.Unstructured](t, r, "PrometheusRule", release)
	groups, _, _ := unstructured.NestedSlice(pr.Object, "spec", "groups")
	var exprs []string
	for _, g := range groups {
		rules, _, _ := unstructured.NestedSlice(g.(map[string]any), "rules")
		for _, ru := range rules {
			expr, _, _ := unstructured.NestedString(ru.(map[string]any), "expr")
			exprs = append(exprs, expr)
		}
	}
	want := []string{
		"sum by (tenant) (increase(plein_partner_consent_refusals_total[15m])) > 20",
		"sum by (tenant, class) (increase(plein_rate_limited_total[15m])) > 100",
	}
	if !slices.Equal(exprs, want) {
		t.Errorf("alert expressions %q, want %q", exprs, want)
	}
	off := render(t, map[string]any{"serviceMonitor": map[string]any{"enabled": true, "alerts": map[string]any{"enabled": false}}})
	if rules := off.ofKind("PrometheusRule"); len(rules) != 0 {
		t.Errorf("PrometheusRule rendered with alerts.enabled=false")
	}
}

func TestServiceMonitorOnlyWhenEnabled(t *testing.T) {
	t.Parallel()
	if sms := render(t, nil).ofKind("ServiceMonitor"); len(sms) != 0 {
		t.Errorf("ServiceMonitor rendered by default")
	}
	r := render(t, map[string]any{
		"serviceMonitor": map[string]any{"enabled": true, "labels": map[string]any{"release": "kube-prometheus-stack"}},
		"existingSecret": "plein-prod",
	})
	sm := get[*unstructured.Unstructured](t, r, "ServiceMonitor", release)
	if sm.GetAPIVersion() != "monitoring.coreos.com/v1" || sm.GetLabels()["release"] != "kube-prometheus-stack" {
		t.Errorf("ServiceMonitor %s labels %v", sm.GetAPIVersion(), sm.GetLabels())
	}
	endpoints, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
	if len(endpoints) != 1 || endpoints[0].(map[string]any)["port"] != "admin" || endpoints[0].(map[string]any)["path"] != "/metrics" {
		t.Errorf("ServiceMonitor endpoints %v, want admin /metrics", endpoints)
	}

	// With existingSecret the chart makes no Secret and every role reads the given one.
	if s := r.ofKind("Secret"); len(s) != 0 {
		t.Errorf("chart made a Secret beside existingSecret")
	}
	for _, c := range components {
		d := get[*appsv1.Deployment](t, r, "Deployment", name(c))
		secretKeys(t, c, d.Spec.Template.Spec.Containers[0], "plein-prod")
	}
	secretKeys(t, "migrate", get[*batchv1.Job](t, r, "Job", name("migrate")).Spec.Template.Spec.Containers[0], "plein-prod")
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	cm := get[*corev1.ConfigMap](t, render(t, nil), "ConfigMap", release+"-dashboard")
	if cm.Labels["grafana_dashboard"] != "1" {
		t.Errorf("labels %v, want grafana_dashboard: \"1\"", cm.Labels)
	}
	var dash struct {
		UID    string `json:"uid"`
		Panels []struct {
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal([]byte(cm.Data["plein.json"]), &dash); err != nil {
		t.Fatalf("dashboard is not JSON: %v", err)
	}
	var exprs []string
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	all := strings.Join(exprs, "\n")
	for _, metric := range []string{
		"plein_http_request_duration_seconds_bucket", "plein_http_request_duration_seconds_count",
		"plein_settlement_runs_total", "plein_settlement_run_duration_seconds_bucket", "plein_settlement_step_failures_total",
	} {
		if !strings.Contains(all, metric) {
			t.Errorf("no panel queries %s", metric)
		}
	}
}

func TestNotes(t *testing.T) {
	t.Parallel()
	if notes := render(t, nil).notes; !strings.Contains(notes, "WARNING") {
		t.Errorf("NOTES without secret values do not warn:\n%s", notes)
	}
	if notes := render(t, map[string]any{"existingSecret": "plein-prod"}).notes; strings.Contains(notes, "WARNING") || !strings.Contains(notes, "plein-prod") {
		t.Errorf("NOTES with existingSecret:\n%s", notes)
	}
}

func TestLint(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		vals map[string]any
	}{
		{"defaults", nil},
		{"monitoring and existing secret", map[string]any{"serviceMonitor": map[string]any{"enabled": true}, "existingSecret": "plein-prod"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			linter := lint.All(chartDir, tc.vals, namespace, false)
			for _, m := range linter.Messages {
				if m.Severity >= support.WarningSev {
					t.Errorf("lint: %v", m)
				} else {
					t.Logf("lint: %v", m)
				}
			}
		})
	}
}

func checkContainerHardened(t *testing.T, what string, ctr corev1.Container) {
	t.Helper()
	sc := ctr.SecurityContext
	if sc == nil {
		t.Errorf("%s: no securityContext", what)
		return
	}
	dropsAll := sc.Capabilities != nil && slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) && len(sc.Capabilities.Add) == 0
	if !isTrue(sc.RunAsNonRoot) || sc.RunAsUser == nil || *sc.RunAsUser != wantUID || !isTrue(sc.ReadOnlyRootFilesystem) ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || !dropsAll ||
		sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: securityContext %s, want non-root %d, read-only root, no privilege escalation, drop ALL, RuntimeDefault", what, toJSON(sc), wantUID)
	}
}

func checkProbe(t *testing.T, what string, p *corev1.Probe, path string) {
	t.Helper()
	if p == nil || p.HTTPGet == nil {
		t.Errorf("%s: no HTTP probe", what)
		return
	}
	if p.HTTPGet.Path != path || p.HTTPGet.Port.String() != "admin" {
		t.Errorf("%s: probe %s on %s, want %s on admin", what, p.HTTPGet.Path, p.HTTPGet.Port.String(), path)
	}
}

// secretKeys returns the sorted Secret keys ctr reads, failing when one comes from another Secret.
func secretKeys(t *testing.T, what string, ctr corev1.Container, secret string) []string {
	t.Helper()
	var keys []string
	for _, e := range ctr.Env {
		if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			if strings.HasPrefix(e.Name, "PLEIN_") && strings.Contains(e.Name, "KEY") {
				t.Errorf("%s: %s is a plain value, want a Secret reference", what, e.Name)
			}
			continue
		}
		ref := e.ValueFrom.SecretKeyRef
		if ref.Name != secret || ref.Key != e.Name {
			t.Errorf("%s: %s from %s/%s, want %s/%s", what, e.Name, ref.Name, ref.Key, secret, e.Name)
		}
		keys = append(keys, ref.Key)
	}
	if len(ctr.EnvFrom) > 0 {
		t.Errorf("%s: envFrom hands the role every key", what)
	}
	sort.Strings(keys)
	return keys
}

func isTrue(b *bool) bool { return b != nil && *b }

func sortedMap(m map[string][]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := slices.Clone(m[k])
		sort.Strings(v)
		out = append(out, k+"="+strings.Join(v, ","))
	}
	return out
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestKMSVolume: the api and worker pods, which seal and open BSNs, share the KMS
// directory of the gemeenten' key-encryption keys at PLEIN_KMS_DIR, from a claim the
// chart makes (ReadWriteMany, kept when the release is uninstalled: losing it makes
// every BSN unreadable) or an existing one; the control plane gets neither. The global
// BSN keys of before are optional: a new install has none.
func TestKMSVolume(t *testing.T) {
	t.Parallel()
	const path = "/var/lib/plein/kms"
	for _, tc := range []struct {
		name  string
		vals  map[string]any
		claim string
	}{
		{"the chart's claim", nil, release + "-kms"},
		{"an existing claim", map[string]any{"kms": map[string]any{"existingClaim": "plein-keys"}}, "plein-keys"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := render(t, tc.vals)
			for _, c := range components {
				pod := get[*appsv1.Deployment](t, r, "Deployment", name(c)).Spec.Template.Spec
				ctr := pod.Containers[0]
				var env string
				for _, e := range ctr.Env {
					if e.Name == "PLEIN_KMS_DIR" {
						env = e.Value
					}
					if strings.HasPrefix(e.Name, "PLEIN_BSN_") && (e.ValueFrom.SecretKeyRef.Optional == nil || !*e.ValueFrom.SecretKeyRef.Optional) {
						t.Errorf("%s: %s is required, want optional (only an installation from before needs it)", c, e.Name)
					}
				}
				var mount, claim string
				for _, m := range ctr.VolumeMounts {
					if m.Name == "kms" {
						mount = m.MountPath
					}
				}
				for _, v := range pod.Volumes {
					if v.Name == "kms" && v.PersistentVolumeClaim != nil {
						claim = v.PersistentVolumeClaim.ClaimName
					}
				}
				want := [3]string{path, path, tc.claim}
				if c == "controlplane" {
					want = [3]string{}
				}
				if got := [3]string{env, mount, claim}; got != want {
					t.Errorf("%s: PLEIN_KMS_DIR, mount, claim = %q, want %q", c, got, want)
				}
			}
			_, made := r.objects["PersistentVolumeClaim/"+release+"-kms"]
			if made != (tc.vals == nil) {
				t.Errorf("the chart's claim rendered: %v, want %v", made, tc.vals == nil)
			}
			if !made {
				return
			}
			pvc := get[*corev1.PersistentVolumeClaim](t, r, "PersistentVolumeClaim", release+"-kms")
			if pvc.Annotations["helm.sh/resource-policy"] != "keep" || !slices.Equal(pvc.Spec.AccessModes, []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany}) {
				t.Errorf("claim %+v: want kept on uninstall and ReadWriteMany", pvc)
			}
		})
	}
}
