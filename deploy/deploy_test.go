// Package deploy holds the deployment files; its tests check them with the
// parsers of the tools that read them (Kubernetes API types, compose-go,
// BuildKit's Dockerfile parser, go-systemd), so a typo fails CI here instead
// of in a rollout.
package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/coreos/go-systemd/v22/unit"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/patrolsync/patrolsync/internal/config"
)

// decodeStrict turns YAML into a typed object, failing on unknown fields.
func decodeStrict(t *testing.T, file string, into any) {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

func TestKubernetesManifests(t *testing.T) {
	var kustomization struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Namespace  string   `json:"namespace"`
		Resources  []string `json:"resources"`
	}
	decodeStrict(t, "k8s/kustomization.yaml", &kustomization)
	files, _ := filepath.Glob("k8s/*.yaml")
	for _, f := range files {
		if base := filepath.Base(f); base != "kustomization.yaml" && !slices.Contains(kustomization.Resources, base) {
			t.Errorf("%s is not listed in kustomization.yaml", base)
		}
	}
	known := map[string]bool{"PATROLSYNC_JWT_SECRET": true, "PATROLSYNC_JWT_PREVIOUS_SECRETS": true,
		"PATROLSYNC_BLOB_SECRET": true, "PATROLSYNC_DATABASE_URL": true, "PATROLSYNC_BLOBS": true, "PATROLSYNC_BASE_URL": true}
	for name := range config.Defaults {
		known[name] = true
	}
	for _, res := range kustomization.Resources {
		path := "k8s/" + res
		var meta struct{ Kind string }
		decodeStrictLoose(t, path, &meta)
		switch meta.Kind {
		case "Deployment":
			var d appsv1.Deployment
			decodeStrict(t, path, &d)
			checkDeployment(t, d)
		case "Job":
			var j batchv1.Job
			decodeStrict(t, path, &j)
			if c := j.Spec.Template.Spec.Containers; len(c) != 1 || !slices.Equal(c[0].Args, []string{"migrate"}) {
				t.Errorf("migration job runs %v, want [migrate]", c)
			}
		case "Service":
			var s corev1.Service
			decodeStrict(t, path, &s)
		case "ConfigMap":
			var c corev1.ConfigMap
			decodeStrict(t, path, &c)
			for k := range c.Data {
				if !known[k] {
					t.Errorf("ConfigMap sets %s, which the server does not read", k)
				}
			}
		case "Secret":
			var s corev1.Secret
			decodeStrict(t, path, &s)
			for k := range s.StringData {
				if !known[k] {
					t.Errorf("Secret sets %s, which the server does not read", k)
				}
			}
		case "HorizontalPodAutoscaler":
			var h autoscalingv2.HorizontalPodAutoscaler
			decodeStrict(t, path, &h)
			if h.Spec.ScaleTargetRef.Kind != "Deployment" || h.Spec.ScaleTargetRef.Name != "patrolsync" {
				t.Errorf("HPA scales %+v", h.Spec.ScaleTargetRef)
			}
		default:
			t.Errorf("%s: unexpected kind %q", path, meta.Kind)
		}
	}
}

func decodeStrictLoose(t *testing.T, file string, into any) {
	t.Helper()
	raw, _ := os.ReadFile(file)
	if err := yaml.Unmarshal(raw, into); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

func checkDeployment(t *testing.T, d appsv1.Deployment) {
	t.Helper()
	spec := d.Spec.Template.Spec
	if len(spec.Containers) != 1 {
		t.Fatalf("deployment has %d containers", len(spec.Containers))
	}
	c := spec.Containers[0]
	if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
		t.Error("readiness probe must ask /readyz")
	}
	if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Error("liveness probe must ask /healthz")
	}
	if spec.SecurityContext == nil || spec.SecurityContext.RunAsNonRoot == nil || !*spec.SecurityContext.RunAsNonRoot {
		t.Error("pods must run as non-root")
	}
	for k, v := range d.Spec.Selector.MatchLabels {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("the selector wants %s=%s, the pods are labelled %q", k, v, d.Spec.Template.Labels[k])
		}
	}
}

func TestComposeFile(t *testing.T) {
	abs, _ := filepath.Abs("compose.yaml")
	project, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  filepath.Dir(abs),
		ConfigFiles: []types.ConfigFile{{Filename: abs}},
		Environment: map[string]string{},
	}, func(o *loader.Options) { o.SetProjectName("patrolsync", true) })
	if err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	for _, name := range []string{"api", "postgres", "minio", "minio-bucket"} {
		if _, err := project.GetService(name); err != nil {
			t.Errorf("compose.yaml lacks service %s", name)
		}
	}
	api, _ := project.GetService("api")
	value := func(k string) string {
		if v := api.Environment[k]; v != nil {
			return *v
		}
		return ""
	}
	if !strings.HasPrefix(value("PATROLSYNC_DATABASE_URL"), "postgres://") ||
		!strings.HasPrefix(value("PATROLSYNC_BLOBS"), "s3://patrolsync-evidence") {
		t.Errorf("api is not wired to PostgreSQL and MinIO: %v", api.Environment)
	}
	if _, ok := api.DependsOn["minio-bucket"]; !ok {
		t.Error("api must wait for the bucket to exist")
	}
}

func TestDockerfile(t *testing.T) {
	f, err := os.Open("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ast, err := parser.Parse(f)
	if err != nil {
		t.Fatalf("Dockerfile: %v", err)
	}
	var froms, users, checks []string
	var build string
	for _, n := range ast.AST.Children {
		switch strings.ToLower(n.Value) {
		case "from":
			froms = append(froms, n.Original)
		case "user":
			users = append(users, n.Next.Value)
		case "healthcheck":
			checks = append(checks, n.Original)
		case "run":
			build += n.Original + "\n"
		}
	}
	if len(froms) < 2 {
		t.Errorf("want a multi-stage build, got %v", froms)
	}
	if len(users) == 0 || users[len(users)-1] == "root" || users[len(users)-1] == "0" {
		t.Errorf("the final image must run as a non-root user, got %v", users)
	}
	if len(checks) == 0 {
		t.Error("the image needs a HEALTHCHECK")
	}
	if !strings.Contains(build, "CGO_ENABLED=0") {
		t.Error("the binary must be static (CGO_ENABLED=0)")
	}
}

func TestSystemdUnit(t *testing.T) {
	f, err := os.Open("patrolsync.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	options, err := unit.DeserializeOptions(f)
	if err != nil {
		t.Fatalf("patrolsync.service: %v", err)
	}
	got := map[string]string{}
	for _, o := range options {
		got[o.Section+"."+o.Name] = o.Value
	}
	for _, want := range []string{"Unit.Description", "Service.ExecStart", "Service.StateDirectory", "Install.WantedBy"} {
		if got[want] == "" {
			t.Errorf("patrolsync.service lacks %s", want)
		}
	}
	if !strings.HasSuffix(got["Service.ExecStart"], "patrolsync serve") {
		t.Errorf("ExecStart = %q", got["Service.ExecStart"])
	}
}
