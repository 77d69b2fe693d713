// Command realapi runs one real kube-apiserver (k8s.io/kubernetes, in-process) on an embedded
// etcd, both on 127.0.0.1 only, for fleettui's tests against the real API server.
//
// It writes into --dir: ca.crt, one kubeconfig per user (kubeconfig-<user>), the token file,
// the audit policy and audit.log, and, once /readyz answers 200, ready.json (also printed on
// stdout as one JSON line). SIGTERM or SIGINT stops the API server, then etcd.
package main

import (
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register" // as cmd/kube-apiserver/apiserver.go
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

//go:embed audit-policy.yaml
var auditPolicy []byte

// advertiseAddress is never connected to: kube-apiserver needs a non-loopback address to
// advertise (kubernetes hack/update-openapi-spec.sh uses the same dummy), and
// --endpoint-reconciler-type=none keeps it out of the `kubernetes` Endpoints.
const advertiseAddress = "10.10.10.10"

type options struct {
	dir               string
	port              int
	compaction        string
	keepData          bool
	startupDeadline   time.Duration
	apiserverPassThru []string
}

func parseOptions() options {
	var o options
	flag.StringVar(&o.dir, "dir", "", "directory for certificates, kubeconfigs, audit log and etcd data (required)")
	flag.IntVar(&o.port, "port", 0, "secure port on 127.0.0.1 (0: a free one)")
	flag.StringVar(&o.compaction, "etcd-compaction-interval", "1m", "kube-apiserver --etcd-compaction-interval (0 disables)")
	flag.BoolVar(&o.keepData, "keep-data", false, "a restart: keep the etcd data, certificates and user tokens a previous run left in --dir")
	flag.DurationVar(&o.startupDeadline, "startup-timeout", 180*time.Second, "give up when /readyz is not 200 by then")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: realapi --dir DIR [options] [-- kube-apiserver flags]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	o.apiserverPassThru = flag.Args()
	if o.dir == "" {
		flag.Usage()
		os.Exit(2)
	}
	return o
}

func main() {
	os.Exit(run(parseOptions()))
}

func run(o options) int {
	started := time.Now()
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return fail(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fail(err)
	}
	port := o.port
	if port == 0 {
		if port, err = freePort(); err != nil {
			return fail(err)
		}
	}
	files, err := writeFiles(dir, port, o.keepData)
	if err != nil {
		return fail(err)
	}
	etcd, etcdURL, err := startEtcd(filepath.Join(dir, "etcd"), o.keepData)
	if err != nil {
		return fail(fmt.Errorf("embedded etcd: %w", err))
	}
	defer etcd.Close() // after the API server returned, so etcd outlives its last write

	go announceWhenReady(o, files, port, started)
	cmd := app.NewAPIServerCommand() // once per process: it sets up the signal handler
	cmd.SetArgs(append(apiserverFlags(o, files, port, etcdURL), o.apiserverPassThru...))
	return cli.Run(cmd)
}

func apiserverFlags(o options, f serverFiles, port int, etcdURL string) []string {
	return []string{
		"--etcd-servers=" + etcdURL,
		"--etcd-compaction-interval=" + o.compaction,
		"--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", port),
		"--advertise-address=" + advertiseAddress,
		"--endpoint-reconciler-type=none",
		"--cert-dir=" + filepath.Join(f.dir, "certs"),
		"--tls-cert-file=" + f.servingCert,
		"--tls-private-key-file=" + f.servingKey,
		"--client-ca-file=" + f.caCert,
		fmt.Sprintf("--service-account-issuer=https://127.0.0.1:%d/", port),
		"--service-account-key-file=" + f.serviceAccountKey,
		"--service-account-signing-key-file=" + f.serviceAccountKey,
		"--service-cluster-ip-range=10.0.0.0/24",
		"--authorization-mode=RBAC",
		"--token-auth-file=" + f.tokens,
		"--audit-policy-file=" + f.auditPolicy,
		"--audit-log-path=" + f.auditLog,
		// No controller-manager creates the `default` ServiceAccount (controller-runtime envtest
		// pkg/internal/testing/controlplane/apiserver.go disables the plugin for the same reason).
		"--disable-admission-plugins=ServiceAccount",
		"--allow-privileged=true",
		"--profiling=false",
	}
}

// readyInfo is what Python reads from ready.json (and the stdout line).
type readyInfo struct {
	Ready          bool              `json:"ready"`
	PID            int               `json:"pid"`
	Port           int               `json:"port"`
	Server         string            `json:"server"`
	Dir            string            `json:"dir"`
	CACert         string            `json:"ca_cert"`
	AuditLog       string            `json:"audit_log"`
	Kubeconfigs    map[string]string `json:"kubeconfigs"`
	StartupSeconds float64           `json:"startup_seconds"`
}

func announceWhenReady(o options, f serverFiles, port int, started time.Time) {
	server := fmt.Sprintf("https://127.0.0.1:%d", port)
	if err := waitReady(server, f, started.Add(o.startupDeadline)); err != nil {
		fmt.Fprintf(os.Stderr, "realapi: %v\n", err)
		os.Exit(1) // Python sees the exit and reads the log
	}
	info := readyInfo{
		Ready: true, PID: os.Getpid(), Port: port, Server: server, Dir: f.dir, CACert: f.caCert,
		AuditLog: f.auditLog, Kubeconfigs: f.kubeconfigs,
		StartupSeconds: time.Since(started).Seconds(),
	}
	data, err := json.Marshal(info)
	if err != nil {
		fmt.Fprintf(os.Stderr, "realapi: %v\n", err)
		os.Exit(1)
	}
	// Written then renamed, so a reader never sees half a file.
	tmp := filepath.Join(f.dir, "ready.json.tmp")
	if err := os.WriteFile(tmp, data, 0o600); err == nil {
		err = os.Rename(tmp, filepath.Join(f.dir, "ready.json"))
		if err != nil {
			fmt.Fprintf(os.Stderr, "realapi: %v\n", err)
		}
	}
	fmt.Println(string(data))
}

func fail(err error) int {
	fmt.Fprintf(os.Stderr, "realapi: %v\n", err)
	return 1
}
