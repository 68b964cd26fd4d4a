"""A Kubernetes API server simulator: discovery, list, chunked watch streams with resourceVersion,
BOOKMARK and 410 Gone, create/update/patch/delete, fault injection, and a kubelet-like pod lifecycle.
Enough of the real wire protocol for the `kubernetes` Python client and for kubectl."""
