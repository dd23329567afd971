// Command compose-check loads a Compose file the way `docker compose config` does, without Docker:
// the project's .env (or --env-file) and the process environment for interpolation, validation
// against the Compose specification's JSON schema and the loader's consistency checks, then the
// deployment's own rules (rules.go). It prints the resolved services as JSON, with the names but
// not the values of their environment variables, or one line per problem on stderr and exit code 1.
//
//	compose-check [--env-file FILE]... COMPOSE_FILE
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

type envFiles []string

func (f *envFiles) String() string     { return strings.Join(*f, ",") }
func (f *envFiles) Set(v string) error { *f = append(*f, v); return nil }

func main() {
	var files envFiles
	flag.Var(&files, "env-file", "an env file for interpolation, as `docker compose --env-file` (default: .env beside the compose file)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: compose-check [--env-file FILE]... COMPOSE_FILE")
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	project, err := load(flag.Arg(0), files)
	if err != nil {
		fail([]string{err.Error()})
	}
	if problems := checkRules(project); len(problems) > 0 {
		fail(problems)
	}
	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", "  ")
	out.SetEscapeHTML(false)
	if err := out.Encode(summary(project)); err != nil {
		fail([]string{err.Error()})
	}
}

func fail(problems []string) {
	for _, p := range problems {
		fmt.Fprintf(os.Stderr, "compose-check: %s\n", p)
	}
	os.Exit(1)
}

// load reads the file with the options `docker compose` uses: its folder as the project folder, the
// process environment, the env files (default: that folder's .env), schema validation on (the
// loader's default: SkipValidation is false) and the consistency checks.
func load(file string, files []string) (*types.Project, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	options, err := cli.NewProjectOptions([]string{abs},
		cli.WithWorkingDirectory(filepath.Dir(abs)),
		cli.WithOsEnv,
		cli.WithEnvFiles(files...),
		cli.WithDotEnv,
		cli.WithConsistency(true),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		return nil, err
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		return nil, errors.New(strings.ReplaceAll(err.Error(), "\n", " "))
	}
	return project, nil
}

type serviceSummary struct {
	Image       string            `json:"image,omitempty"`
	Build       string            `json:"build,omitempty"`
	Ports       []string          `json:"ports"`
	DependsOn   map[string]string `json:"depends_on"`
	Volumes     []string          `json:"volumes"`
	Networks    []string          `json:"networks"`
	Environment []string          `json:"environment"`
	HealthCheck []string          `json:"healthcheck,omitempty"`
}

// summary is what the tests read: no environment values, so no secret is ever printed.
func summary(project *types.Project) map[string]any {
	services := map[string]serviceSummary{}
	for name, s := range project.Services {
		sum := serviceSummary{Image: s.Image, Ports: []string{}, DependsOn: map[string]string{}, Volumes: []string{}, Networks: []string{}, Environment: []string{}}
		if s.Build != nil {
			sum.Build = relative(project.WorkingDir, s.Build.Context)
		}
		for _, p := range s.Ports {
			sum.Ports = append(sum.Ports, fmt.Sprintf("%s:%s:%d/%s", p.HostIP, p.Published, p.Target, p.Protocol))
		}
		for dep, d := range s.DependsOn {
			sum.DependsOn[dep] = d.Condition
		}
		for _, v := range s.Volumes {
			mode := "rw"
			if v.ReadOnly {
				mode = "ro"
			}
			sum.Volumes = append(sum.Volumes, fmt.Sprintf("%s:%s:%s:%s", v.Type, relative(project.WorkingDir, v.Source), v.Target, mode))
		}
		for n := range s.Networks {
			sum.Networks = append(sum.Networks, n)
		}
		for k := range s.Environment {
			sum.Environment = append(sum.Environment, k)
		}
		if s.HealthCheck != nil {
			sum.HealthCheck = s.HealthCheck.Test
		}
		sort.Strings(sum.Networks)
		sort.Strings(sum.Environment)
		services[name] = sum
	}
	return map[string]any{"name": project.Name, "services": services}
}

// relative writes a bind mount's source inside the project folder as ./path.
func relative(dir, source string) string {
	rel, err := filepath.Rel(dir, source)
	switch {
	case err != nil || !filepath.IsAbs(source) || strings.HasPrefix(rel, ".."):
		return source
	case rel == ".":
		return "."
	}
	return "./" + filepath.ToSlash(rel)
}
