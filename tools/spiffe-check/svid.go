package main

import (
	"fmt"
	"time"

	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
	"github.com/spiffe/go-spiffe/v2/workloadapi"
)

// svidReport is what fetch and watch print for each X.509 context.
type svidReport struct {
	SpiffeID  string `json:"spiffe_id"`
	Serial    string `json:"serial"`
	NotAfter  string `json:"not_after"`
	ChainLen  int    `json:"chain_len"`
	BundleCAs int    `json:"bundle_cas"`
	Verified  bool   `json:"verified"`
}

// report verifies the default SVID against the received bundles the way a peer would
// (x509svid.Verify: path validation to the trust domain's CAs, then the SPIFFE ID rules).
func report(x *workloadapi.X509Context) (svidReport, error) {
	svid := x.DefaultSVID()
	if svid == nil || len(svid.Certificates) == 0 {
		return svidReport{}, fmt.Errorf("the response holds no SVID")
	}
	bundle, err := x.Bundles.GetX509BundleForTrustDomain(svid.ID.TrustDomain())
	if err != nil {
		return svidReport{}, fmt.Errorf("no bundle for the SVID's trust domain %q: %w", svid.ID.TrustDomain(), err)
	}
	id, _, err := x509svid.Verify(svid.Certificates, x.Bundles)
	if err != nil {
		return svidReport{}, fmt.Errorf("the SVID %s does not verify against the bundle: %w", svid.ID, err)
	}
	if id != svid.ID {
		return svidReport{}, fmt.Errorf("the SVID verifies as %s but is labelled %s", id, svid.ID)
	}
	leaf := svid.Certificates[0]
	return svidReport{
		SpiffeID:  id.String(),
		Serial:    fmt.Sprintf("%X", leaf.SerialNumber),
		NotAfter:  leaf.NotAfter.UTC().Format(time.RFC3339),
		ChainLen:  len(svid.Certificates),
		BundleCAs: len(bundle.X509Authorities()),
		Verified:  true,
	}, nil
}
