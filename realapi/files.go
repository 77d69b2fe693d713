package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// user is one static-token user; RBAC for them is in rbac.yaml (applied by the tests), except
// admin, whose group system:masters the bootstrap policy binds to cluster-admin.
type user struct {
	name   string
	groups []string
}

var users = []user{
	{name: "admin", groups: []string{"system:masters"}},
	{name: "readonly"},       // reads everything, secrets and custom resources included
	{name: "viewer"},         // reads everything but secrets
	{name: "namespace-user"}, // anything, in one namespace only
}

type serverFiles struct {
	dir, caCert, servingCert, servingKey, serviceAccountKey string
	tokens, auditPolicy, auditLog                           string
	kubeconfigs                                             map[string]string
}

// writeFiles writes what the API server needs; with keep (a restart) the CA, serving
// certificate, service-account key and tokens of the previous run stay, so clients' kubeconfigs
// keep working.
func writeFiles(dir string, port int, keep bool) (serverFiles, error) {
	f := serverFiles{
		dir:               dir,
		caCert:            filepath.Join(dir, "ca.crt"),
		servingCert:       filepath.Join(dir, "apiserver.crt"),
		servingKey:        filepath.Join(dir, "apiserver.key"),
		serviceAccountKey: filepath.Join(dir, "service-account.key"),
		tokens:            filepath.Join(dir, "tokens.csv"),
		auditPolicy:       filepath.Join(dir, "audit-policy.yaml"),
		auditLog:          filepath.Join(dir, "audit.log"),
		kubeconfigs:       map[string]string{},
	}
	_ = os.Remove(filepath.Join(dir, "ready.json")) // a stale one would announce a dead server
	if !keep || !allExist(f.caCert, f.servingCert, f.servingKey) {
		if err := writeCertificates(f); err != nil {
			return f, err
		}
	}
	if !keep || !allExist(f.serviceAccountKey) {
		if err := writeServiceAccountKey(f.serviceAccountKey); err != nil {
			return f, err
		}
	}
	if err := os.WriteFile(f.auditPolicy, auditPolicy, 0o600); err != nil {
		return f, err
	}
	old := map[string]string{}
	if keep {
		old = previousTokens(f.tokens)
	}
	return f, writeUsers(&f, port, old)
}

func allExist(paths ...string) bool {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return false
		}
	}
	return true
}

// previousTokens reads user → token from a token file writeUsers wrote (none when absent).
func previousTokens(path string) map[string]string {
	tokens := map[string]string{}
	data, err := os.ReadFile(path)
	if err != nil {
		return tokens
	}
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.SplitN(line, ",", 3)
		if len(fields) == 3 {
			tokens[fields[1]] = fields[0]
		}
	}
	return tokens
}

func writeCertificates(f serverFiles) error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "realapi-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	servingKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serving := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
	}
	servingDER, err := x509.CreateCertificate(rand.Reader, serving, ca, &servingKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	if err := writePEM(f.caCert, "CERTIFICATE", caDER); err != nil {
		return err
	}
	if err := writePEM(f.servingCert, "CERTIFICATE", servingDER); err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(servingKey)
	if err != nil {
		return err
	}
	return writePEM(f.servingKey, "EC PRIVATE KEY", keyDER)
}

// writeServiceAccountKey writes one RSA key for both service-account key flags, as kubernetes
// hack/update-openapi-spec.sh does.
func writeServiceAccountKey(path string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	return writePEM(path, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key))
}

func writePEM(path, kind string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600)
}

// writeUsers writes the token file (apiserver pkg/authentication/token/tokenfile: token,user,uid,
// "group1,group2") and one kubeconfig per user.
func writeUsers(f *serverFiles, port int, previous map[string]string) error {
	var rows []string
	for i, u := range users {
		token, err := previous[u.name], error(nil)
		if token == "" {
			token, err = randomToken(u.name)
		}
		if err != nil {
			return err
		}
		rows = append(rows, fmt.Sprintf("%s,%s,%d,%q", token, u.name, i+1, strings.Join(u.groups, ",")))
		path := filepath.Join(f.dir, "kubeconfig-"+u.name)
		if err := writeKubeconfig(path, port, f.caCert, u.name, token); err != nil {
			return err
		}
		f.kubeconfigs[u.name] = path
	}
	return os.WriteFile(f.tokens, []byte(strings.Join(rows, "\n")+"\n"), 0o600)
}

func randomToken(prefix string) (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + "-" + hex.EncodeToString(b), nil
}

// writeKubeconfig writes a kubeconfig as JSON (YAML's subset) with one context, "realapi".
func writeKubeconfig(path string, port int, caCert, userName, token string) error {
	config := map[string]any{
		"apiVersion": "v1",
		"kind":       "Config",
		"clusters": []any{map[string]any{"name": "realapi", "cluster": map[string]any{
			"server":                fmt.Sprintf("https://127.0.0.1:%d", port),
			"certificate-authority": caCert,
		}}},
		"users": []any{map[string]any{"name": userName, "user": map[string]any{"token": token}}},
		"contexts": []any{map[string]any{"name": "realapi", "context": map[string]any{
			"cluster": "realapi", "user": userName, "namespace": "default",
		}}},
		"current-context": "realapi",
	}
	data, err := json.MarshalIndent(config, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o600)
}
