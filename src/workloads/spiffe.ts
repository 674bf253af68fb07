/**
 * The SVID Secret of a service: what the identity controller writes, the kubelet projects into
 * the pods and the Workload API agent reads. One place for the file names and paths, so that the
 * writer, the pod template and the agent cannot drift apart.
 */

/** Keys of the Secret = file names in the mounted directory. */
export const SVID_FILE = 'svid.pem';
export const SVID_KEY_FILE = 'svid_key.pem';
export const BUNDLE_FILE = 'bundle.pem';

/** Where the pods see the Secret (the path csi-driver-spiffe and many SPIFFE examples use). */
export const SVID_MOUNT_PATH = '/var/run/secrets/spiffe.io';
/** The emptyDir shared by the agent and the app containers; it holds only the socket. */
export const WORKLOAD_API_DIR = '/run/spiffe';
export const WORKLOAD_API_SOCKET = `${WORKLOAD_API_DIR}/agent.sock`;
/** The variable go-spiffe, java-spiffe, py-spiffe and the Rust crate read (SPIFFE Workload Endpoint §4). */
export const SPIFFE_ENDPOINT_SOCKET_ENV = 'SPIFFE_ENDPOINT_SOCKET';
export const WORKLOAD_API_ADDRESS = `unix://${WORKLOAD_API_SOCKET}`;

/** Annotations on the SVID Secret: what the controller needs to decide on a rotation without parsing. */
export const ANNOTATION_SPIFFE_ID = 'provider.akash.network/spiffe-id';
export const ANNOTATION_SVID_NOT_AFTER = 'provider.akash.network/svid-not-after';
export const ANNOTATION_SVID_ROTATE_AT = 'provider.akash.network/svid-rotate-at';
/** SHA-256 of the signing CA certificate (DER, hex). */
export const ANNOTATION_SVID_ISSUER = 'provider.akash.network/svid-issuer';
