package plugin

import (
	"fmt"

	istioclient "istio.io/client-go/pkg/clientset/versioned"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Factory gives commands their clients, so tests can pass a real apiserver's config or fakes.
type Factory interface {
	// Namespace is the namespace from -n, or the kubeconfig context's, or "default".
	Namespace() (string, bool, error)
	RESTConfig() (*rest.Config, error)
	KubeClient() (kubernetes.Interface, error)
	IstioClient() (istioclient.Interface, error)
}

type configFactory struct {
	flags *genericclioptions.ConfigFlags
}

// NewFactory returns a Factory reading --kubeconfig, --context, -n and friends.
func NewFactory(flags *genericclioptions.ConfigFlags) Factory {
	return &configFactory{flags: flags}
}

func (f *configFactory) Namespace() (string, bool, error) {
	return f.flags.ToRawKubeConfigLoader().Namespace()
}

// RESTConfig is the kubeconfig's config, its transport wrapped with noBodyLogging: every
// client (trace's, check-secrets', the proxies' port-forwards) is made from it.
func (f *configFactory) RESTConfig() (*rest.Config, error) {
	cfg, err := f.flags.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig: %w", err)
	}
	cfg.Wrap(noBodyLogging)
	return cfg, nil
}

func (f *configFactory) KubeClient() (kubernetes.Interface, error) {
	cfg, err := f.RESTConfig()
	if err != nil {
		return nil, err
	}
	return kubernetes.NewForConfig(cfg)
}

func (f *configFactory) IstioClient() (istioclient.Interface, error) {
	cfg, err := f.RESTConfig()
	if err != nil {
		return nil, err
	}
	return istioclient.NewForConfig(cfg)
}
