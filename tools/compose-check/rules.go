package main

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// The deployment's rules (docs/deployment.md), on top of the Compose specification.
const (
	proxy     = "caddy"
	app       = "app"
	server    = "temporal"
	schemaJob = "temporal-schema"
	nsJob     = "temporal-namespace"
	completed = types.ServiceConditionCompletedSuccessfully
	healthy   = types.ServiceConditionHealthy
)

// An exact release: 1.2.3 with an optional suffix such as -alpine or -bookworm; PostgreSQL's
// releases have two numbers (16.15), so 16.15-bookworm is exact there while 2.11 is not for Caddy.
var (
	exactTag         = regexp.MustCompile(`^v?\d+\.\d+\.\d+([-+._][0-9A-Za-z.+_-]+)?$`)
	exactPostgresTag = regexp.MustCompile(`^\d+\.\d+([-._][0-9A-Za-z._-]+)?$`)
)

func checkRules(project *types.Project) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for _, name := range []string{proxy, app, server, schemaJob, nsJob} {
		if _, ok := project.Services[name]; !ok {
			add("services.%s: missing", name)
		}
	}
	if len(problems) > 0 {
		return problems
	}
	for _, name := range sortedNames(project) {
		s := project.Services[name]
		if msg := imageProblem(s); msg != "" {
			add("services.%s.image: %s", name, msg)
		}
		checkPorts(name, s, add)
		checkBindSources(name, s, add)
	}
	checkDependencies(project, add)
	checkServerVersion(project, add)
	checkApp(project, add)
	return problems
}

func sortedNames(project *types.Project) []string {
	names := make([]string, 0, len(project.Services))
	for name := range project.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// imageProblem: every image names one release; only a service built here may go without one.
func imageProblem(s types.ServiceConfig) string {
	if s.Image == "" {
		if s.Build == nil {
			return "missing (and no build)"
		}
		return ""
	}
	if strings.Contains(s.Image, "@sha256:") {
		return ""
	}
	tag := imageTag(s.Image)
	switch {
	case tag == "":
		return fmt.Sprintf("%q has no tag: pin an exact version", s.Image)
	case tag == "latest":
		return fmt.Sprintf("%q: pin an exact version, not latest", s.Image)
	case strings.HasPrefix(s.Image, "postgres:") && exactPostgresTag.MatchString(tag):
		return ""
	case !exactTag.MatchString(tag):
		return fmt.Sprintf("%q: tag %q is not an exact version such as 1.2.3", s.Image, tag)
	}
	return ""
}

// imageTag is what follows the last ':' after the last '/' (a registry's port is not a tag).
func imageTag(image string) string {
	last := image[strings.LastIndex(image, "/")+1:]
	if i := strings.LastIndex(last, ":"); i >= 0 {
		return last[i+1:]
	}
	return ""
}

// checkPorts: only the proxy publishes, on all interfaces only 80 and 443 (the same port on the
// host), anything else on the loopback interface only; no service shares the host's network.
func checkPorts(name string, s types.ServiceConfig, add func(string, ...any)) {
	if s.NetworkMode == "host" {
		add("services.%s.network_mode: host would publish every port of %s", name, name)
	}
	for _, p := range s.Ports {
		loopback := p.HostIP == "127.0.0.1" || p.HostIP == "::1"
		web := (p.Target == 80 || p.Target == 443) && p.Published == strconv.FormatUint(uint64(p.Target), 10)
		switch {
		case name != proxy:
			add("services.%s.ports: %s publishes %d; only %s publishes ports", name, name, p.Target, proxy)
		case !web && !loopback:
			add("services.%s.ports: %s:%d is published on %q; beyond 80:80 and 443:443 bind 127.0.0.1", name, p.Published, p.Target, p.HostIP)
		}
	}
}

// checkBindSources: files mounted from the project folder exist (docker would mount an empty folder).
func checkBindSources(name string, s types.ServiceConfig, add func(string, ...any)) {
	for _, v := range s.Volumes {
		if v.Type != types.VolumeTypeBind {
			continue
		}
		if _, err := os.Stat(v.Source); err != nil {
			add("services.%s.volumes: %s does not exist", name, v.Source)
		}
	}
}

func checkDependencies(project *types.Project, add func(string, ...any)) {
	want := map[string]map[string]string{
		server: {schemaJob: completed},
		app:    {schemaJob: completed, nsJob: completed, server: healthy},
	}
	for name, deps := range want {
		for dep, condition := range deps {
			got, ok := project.Services[name].DependsOn[dep]
			if !ok || got.Condition != condition {
				add("services.%s.depends_on: needs %s with condition %s", name, dep, condition)
			}
		}
	}
}

// checkServerVersion: the schema and namespace jobs run the admin tools of the server's own version.
func checkServerVersion(project *types.Project, add func(string, ...any)) {
	image := project.Services[server].Image
	if !strings.HasPrefix(image, "temporalio/server:") {
		add("services.%s.image: %q is not temporalio/server:<version>", server, image)
		return
	}
	version := imageTag(image)
	for _, job := range []string{schemaJob, nsJob} {
		want := "temporalio/admin-tools:" + version
		if got := project.Services[job].Image; got != want {
			add("services.%s.image: %q must be %q, the server's version", job, got, want)
		}
	}
}

// checkApp: the app is healthy when ready, reads its policy file from a read-only mount, and
// believes X-Forwarded-For from the proxy's network only.
func checkApp(project *types.Project, add func(string, ...any)) {
	s := project.Services[app]
	if s.HealthCheck == nil || !strings.Contains(strings.Join(s.HealthCheck.Test, " "), "/readyz") {
		add("services.%s.healthcheck: must call /readyz", app)
	}
	for _, name := range []string{server, "postgresql"} {
		if other, ok := project.Services[name]; ok && (other.HealthCheck == nil || other.HealthCheck.Disable) {
			add("services.%s.healthcheck: missing", name)
		}
	}
	policy := value(s.Environment["POLICY_FILE"])
	mounted := false
	for _, v := range s.Volumes {
		mounted = mounted || (policy != "" && v.Target == policy && v.ReadOnly)
	}
	if !mounted {
		add("services.%s: POLICY_FILE must name a file mounted read-only (got %q)", app, policy)
	}
	trusted := map[string]bool{}
	for _, entry := range strings.Split(value(s.Environment["TRUST_PROXY"]), ",") {
		if entry = strings.TrimSpace(entry); entry != "" {
			trusted[entry] = true
		}
	}
	if len(trusted) == 0 {
		add("services.%s.environment.TRUST_PROXY: must be set to %s's network", app, proxy)
	}
	shared := 0
	for network := range s.Networks {
		if _, ok := project.Services[proxy].Networks[network]; !ok {
			continue
		}
		shared++
		for _, pool := range project.Networks[network].Ipam.Config {
			if !trusted[pool.Subnet] {
				add("services.%s.environment.TRUST_PROXY: must include %s, the subnet of network %s", app, pool.Subnet, network)
			}
		}
		if len(project.Networks[network].Ipam.Config) == 0 {
			add("networks.%s: needs an ipam subnet, which TRUST_PROXY names", network)
		}
	}
	if shared == 0 {
		add("services.%s.networks: shares no network with %s", app, proxy)
	}
}

func value(v *string) string {
	if v == nil {
		return ""
	}
	return *v
}
