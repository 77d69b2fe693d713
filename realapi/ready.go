package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// waitReady polls GET /readyz (anonymous may read it, bootstrap role system:public-info-viewer)
// until it answers 200, or fails at the deadline with the last answer.
func waitReady(server string, f serverFiles, deadline time.Time) error {
	pem, err := os.ReadFile(f.caCert)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
	last := "no answer"
	for time.Now().Before(deadline) {
		resp, err := client.Get(server + "/readyz")
		if err != nil {
			last = err.Error()
		} else {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s/readyz not 200 by the deadline; last answer: %s", server, last)
}
