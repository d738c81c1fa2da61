// Package controlplane is `plein controlplane`: it reconciles what each gemeente needs
// in Kubernetes from the tenant registry. Per tenant an Ingress for its portal hosts
// (TLS through a cert-manager annotation) in the platform namespace; for a tenant on
// the silo tier a namespace of its own with a worker Deployment, a ResourceQuota, a
// NetworkPolicy and a copy of the platform's env Secret. What a tenant no longer needs
// (an offboarded gemeente, a silo that became shared) is removed. Conditions are written
// back onto the tenant, and leader election makes sure that of several replicas only
// one acts.
package controlplane

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Config is the control plane's configuration. The chart renders it as JSON into the
// environment variable PLEIN_CONTROLPLANE; unknown keys are refused.
type Config struct {
	// Namespace is the platform's namespace: the tenants' Ingresses, the leader
	// election Lease and the env Secret live there.
	Namespace string `json:"namespace"`
	// IngressClass is the IngressClass of the tenants' Ingresses; empty means the
	// cluster's default class.
	IngressClass string `json:"ingressClass,omitempty"`
	// ClusterIssuer is the cert-manager ClusterIssuer named in the Ingress annotation
	// cert-manager.io/cluster-issuer; empty means no annotation (TLS managed elsewhere).
	ClusterIssuer string `json:"clusterIssuer,omitempty"`
	// APIService and APIPort are the Service of the api pods (the portal) that the
	// Ingresses route to; the port is the Service's port name.
	APIService string `json:"apiService"`
	APIPort    string `json:"apiPort"`
	// Image is the plein image the silo workers run.
	Image           string `json:"image"`
	ImagePullPolicy string `json:"imagePullPolicy,omitempty"`
	// EnvSecret is the Secret in Namespace with the workers' environment (database
	// URLs, keys); it is copied into every silo namespace as plein-env.
	EnvSecret string `json:"envSecret"`
	// EnvSecretKeys are the keys of EnvSecret a silo worker gets; the default is only
	// PLEIN_DATABASE_URL (plein_app): never the owner's or the control plane's URL.
	EnvSecretKeys []string `json:"envSecretKeys,omitempty"`
	// SiloNamespacePrefix prefixes a silo tenant's namespace: prefix + tenant id.
	SiloNamespacePrefix string `json:"siloNamespacePrefix,omitempty"`
	// WorkerResources are each silo worker container's requests and limits.
	WorkerResources Resources `json:"workerResources"`
	// Postgres says where the silo workers may connect to (NetworkPolicy egress):
	// CIDRs when set, else the namespaces (and pods) matching the selectors.
	Postgres PostgresPeer `json:"postgres"`
	// MonitoringNamespaceSelector selects the namespaces allowed to scrape the silo
	// workers' admin port; empty means any namespace.
	MonitoringNamespaceSelector map[string]string `json:"monitoringNamespaceSelector,omitempty"`
	// Resync is how often every tenant is reconciled even without a change; a new
	// config version or lifecycle event reconciles its tenant at once.
	Resync Duration `json:"resync,omitempty"`
	// LeaseName is the leader election Lease in Namespace.
	LeaseName string `json:"leaseName,omitempty"`
}

// Resources are a container's requests and limits, as Kubernetes quantities.
type Resources struct {
	RequestsCPU    string `json:"requestsCPU"`
	RequestsMemory string `json:"requestsMemory"`
	LimitsCPU      string `json:"limitsCPU"`
	LimitsMemory   string `json:"limitsMemory"`
}

// PostgresPeer is the database the silo workers reach.
type PostgresPeer struct {
	Port              int               `json:"port"`
	CIDRs             []string          `json:"cidrs,omitempty"`
	NamespaceSelector map[string]string `json:"namespaceSelector,omitempty"`
	PodSelector       map[string]string `json:"podSelector,omitempty"`
}

// Duration is a time.Duration written as "30s" in JSON.
type Duration time.Duration

// UnmarshalJSON reads "30s", "2m".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string such as \"30s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes "30s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// Defaults of the configuration.
const (
	DefaultSiloNamespacePrefix = "plein-"
	DefaultResync              = 30 * time.Second
	DefaultLeaseName           = "plein-controlplane"
	DefaultAPIPort             = "http"
)

// ParseConfig decodes a JSON configuration strictly and fills in the defaults.
func ParseConfig(b []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("controlplane: config: %w", err)
	}
	c = c.withDefaults()
	return c, c.Validate()
}

func (c Config) withDefaults() Config {
	if c.SiloNamespacePrefix == "" {
		c.SiloNamespacePrefix = DefaultSiloNamespacePrefix
	}
	if c.Resync == 0 {
		c.Resync = Duration(DefaultResync)
	}
	if c.LeaseName == "" {
		c.LeaseName = DefaultLeaseName
	}
	if c.APIPort == "" {
		c.APIPort = DefaultAPIPort
	}
	if len(c.EnvSecretKeys) == 0 {
		c.EnvSecretKeys = []string{"PLEIN_DATABASE_URL"}
	}
	if c.ImagePullPolicy == "" {
		c.ImagePullPolicy = "IfNotPresent"
	}
	r := &c.WorkerResources
	if r.RequestsCPU == "" {
		r.RequestsCPU = "250m"
	}
	if r.RequestsMemory == "" {
		r.RequestsMemory = "256Mi"
	}
	if r.LimitsCPU == "" {
		r.LimitsCPU = "1"
	}
	if r.LimitsMemory == "" {
		r.LimitsMemory = "1Gi"
	}
	if c.Postgres.Port == 0 {
		c.Postgres.Port = 5432
	}
	return c
}

// Validate reports every problem of the configuration, naming the field.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, a ...any) {
		errs = append(errs, fmt.Errorf("controlplane: config: %s: %s", field, fmt.Sprintf(format, a...)))
	}
	for _, f := range []struct{ name, v string }{{"namespace", c.Namespace}, {"apiService", c.APIService}, {"leaseName", c.LeaseName}} {
		if msgs := validation.IsDNS1123Label(f.v); len(msgs) > 0 {
			bad(f.name, "%q: %s", f.v, strings.Join(msgs, "; "))
		}
	}
	if c.EnvSecret != "" {
		if msgs := validation.IsDNS1123Subdomain(c.EnvSecret); len(msgs) > 0 {
			bad("envSecret", "%q: %s", c.EnvSecret, strings.Join(msgs, "; "))
		}
	}
	if strings.TrimSpace(c.Image) == "" {
		bad("image", "is required (the image the silo workers run)")
	}
	if msgs := validation.IsDNS1123Label(strings.TrimSuffix(c.SiloNamespacePrefix, "-") + "-x"); len(msgs) > 0 {
		bad("siloNamespacePrefix", "%q: %s", c.SiloNamespacePrefix, strings.Join(msgs, "; "))
	}
	switch c.ImagePullPolicy {
	case "Always", "IfNotPresent", "Never":
	default:
		bad("imagePullPolicy", "%q: Always, IfNotPresent or Never", c.ImagePullPolicy)
	}
	r := c.WorkerResources
	for _, q := range []struct{ name, v string }{
		{"workerResources.requestsCPU", r.RequestsCPU}, {"workerResources.requestsMemory", r.RequestsMemory},
		{"workerResources.limitsCPU", r.LimitsCPU}, {"workerResources.limitsMemory", r.LimitsMemory},
	} {
		if _, err := resource.ParseQuantity(q.v); err != nil {
			bad(q.name, "%q is not a quantity", q.v)
		}
	}
	if c.Postgres.Port < 1 || c.Postgres.Port > 65535 {
		bad("postgres.port", "%d is not a port", c.Postgres.Port)
	}
	if time.Duration(c.Resync) < time.Second {
		bad("resync", "%s is too short: at least 1s", time.Duration(c.Resync))
	}
	return errors.Join(errs...)
}
