import { defineRule, yaml } from '../../src/engine/rule.js';
import {
  clusterDns,
  deckOf,
  hostScope,
  kongBackendServices,
  kongServices,
  routesOfService,
  terminatingPlugin,
  upstreamTargets,
} from '../../src/model/kong/index.js';
import { get, str } from '../../src/model/values.js';

const PLAIN = new Set(['http', 'grpc', 'tcp', 'ws', 'udp']);

export default defineRule({
  id: 'kong-upstream-plaintext',
  title: 'Use TLS from Kong to upstream services outside the cluster',
  severity: 'error',
  securitySeverity: 6.5,
  tags: ['security', 'kong', 'tls', 'encryption'],
  description: `Kong terminates the client's TLS and opens a new connection to the service. With a plaintext upstream
protocol (\`http\`, \`grpc\`, \`tcp\`, \`ws\`, \`udp\`) that hop carries the request, its credentials and the
response in cleartext. A service's protocol is its \`protocol\`, else the scheme of its \`url\`, else the decK default
(\`_info.defaults.service.protocol\`), else Kong's default **http** (kong/db/schema/entities/services.lua). So a
service with only \`host:\` is plaintext.

Severity depends on where the upstream is: toward an external host (a domain or an IP address that is not loopback)
it is an error; toward an in-cluster name it is a note, since that hop stays inside the cluster and a mesh may
encrypt it; loopback and templated hosts (\`\${{ env "DECK_HOST" }}\`) are not reported. Disabled services are not
reported. In-cluster names are the ones Kubernetes DNS resolves to a Service through a pod's search path
(\`<ns>.svc.<domain> svc.<domain> <domain>\`, "DNS for Services and Pods"; Kong's resolver applies the search path
too): \`svc\`, \`svc.ns\`, \`svc.ns.svc\`, anything under the cluster domain (\`cluster.local\`, or the
\`mesh.clusterDomain\` setting), a decK upstream whose targets are all such names, or an upstream the ingress
controller generated for a Service (tagged \`k8s-kind\`). \`svc.ns\` and \`host.tld\` look alike: a name whose last
label is a namespace of the scan is in-cluster, one whose last label is a two-letter country code or a common public
TLD is external, any other two-label name is in-cluster. A name with a trailing dot is absolute (no search path). A
\`url\` is read with the WHATWG URL parser, as Kong reads it: in \`http://svc:@ext.example.com/\` the host is
\`ext.example.com\`, not the user name \`svc\`.

A service (or a Kubernetes Service behind Kong-served routes) whose every route ends in a terminating plugin (\`request-termination\` without \`trigger\`, \`redirect\`)
is never called and is not reported. Kong Operator KongServices (configuration.konghq.com/v1alpha1, fields under
\`spec\`) are judged like decK services.

On Kubernetes, each Service behind a Kong-served Ingress or HTTPRoute is an upstream; its protocol is the
\`konghq.com/protocol\` annotation (default http). An \`ExternalName\` Service is judged by its \`externalName\`.
Note that https upstreams are only *verified* with \`tls_verify: true\` (or \`konghq.com/tls-verify\`), which this
rule does not check.`,
  remediation:
    'Use `protocol: https` (or an `https://` url) with `tls_verify: true` and `ca_certificates` for the upstream; on Kubernetes annotate the Service with `konghq.com/protocol: https` and `konghq.com/tls-verify: "true"`, or rely on mesh mTLS for in-cluster hops.',
  references: [
    'https://developer.konghq.com/gateway/entities/service/',
    'https://developer.konghq.com/kubernetes-ingress-controller/reference/annotations/#konghq-com-protocol',
  ],
  messages: {
    external:
      '{{resource}} proxies to {{host}} over {{protocol}} (cleartext, outside the cluster): use https with tls_verify.',
    inCluster:
      '{{resource}} proxies to in-cluster {{host}} over {{protocol}}: the hop is cleartext unless the mesh encrypts it; use https or mesh mTLS.',
  },
  examples: {
    invalid: {
      'default-protocol-is-http': yaml`
        _format_version: "3.0"
        services:
          - name: payments
            host: payments.example.com # expect: kong-upstream-plaintext @5-31
            port: 80
      `,
      'url-scheme-http': yaml`
        _format_version: "3.0"
        services:
          - name: api
            url: http://api.partner.net/v1 # expect: kong-upstream-plaintext @5-35
      `,
      'in-cluster-service-is-a-note': yaml`
        _format_version: "3.0"
        services:
          - name: orders
            protocol: http # expect: kong-upstream-plaintext @5-19
            host: orders.shop.svc.cluster.local
      `,
      'user-info-is-not-the-host': yaml`
        _format_version: "3.0"
        services:
          - name: partner
            url: http://svc:@ext.example.com:8080/ # expect: kong-upstream-plaintext @5-43
      `,
      'service-dot-namespace-is-in-cluster-a-note': yaml`
        _format_version: "3.0"
        services:
          - name: realtime
            url: http://realtime-dev.supabase-realtime:4000/socket # expect: kong-upstream-plaintext @5-59
      `,
      'upstream-with-external-targets': yaml`
        _format_version: "3.0"
        upstreams:
          - name: legacy
            targets: [{ target: "10.20.0.7:8080" }]
        services:
          - name: legacy
            host: legacy # expect: kong-upstream-plaintext @5-17
      `,
      'controller-generated-upstream-for-a-service-is-in-cluster': yaml`
        _format_version: "3.0"
        upstreams:
          - name: httproute.default.web.0
            tags: [k8s-kind:Service, k8s-name:web]
            targets: [{ target: "10.244.0.5:8080" }]
        services:
          - name: httproute.default.web.0
            protocol: http # expect: kong-upstream-plaintext @5-19
            host: httproute.default.web.0
      `,
    },
    valid: {
      'https-upstream': yaml`
        _format_version: "3.0"
        services:
          - name: payments
            url: https://payments.example.com
            tls_verify: true
      `,
      'loopback-and-templated': yaml`
        _format_version: "3.0"
        services:
          - name: local
            url: http://127.0.0.1:8001
          - name: templated
            protocol: http
            host: \${{ env "DECK_BACKEND_HOST" }}
      `,
      'every-route-terminated': yaml`
        _format_version: "3.0"
        services:
          - name: retired
            url: http://retired.example.com
            routes:
              - name: retired
                paths: [/v1]
                plugins:
                  - name: request-termination
                    config: { status_code: 410 }
      `,
      'disabled-service': yaml`
        _format_version: "3.0"
        services:
          - name: old
            enabled: false
            url: http://old.example.com
      `,
    },
  },
  check({ graph, settings, report }) {
    const dns = clusterDns(graph, settings.mesh.clusterDomain);
    const scopeOf = (host: string) => hostScope(host, dns);
    for (const service of kongServices(graph)) {
      if (!service.enabled || !PLAIN.has(service.protocol)) continue;
      // A service (or a Kubernetes Service behind Kong-served routes) whose every route ends in a terminating plugin is never called.
      const routes = routesOfService(graph, service);
      if (routes.length > 0 && routes.every((route) => terminatingPlugin(route))) continue;
      let scope = scopeOf(service.host);
      const deck = deckOf(service.resource);
      // The host may name a decK upstream: then its targets are where the traffic goes.
      const upstream = deck ? upstreamTargets(deck, service.host) : undefined;
      if (upstream?.kubernetes) {
        scope = 'cluster'; // generated by the ingress controller for a Service: its targets are pod IPs
      } else if (upstream && upstream.hosts.length > 0) {
        const scopes = upstream.hosts.map(scopeOf);
        scope = scopes.includes('external')
          ? 'external'
          : scopes.every((s) => s === 'loopback')
            ? 'loopback'
            : scopes.includes('unknown')
              ? 'unknown'
              : 'cluster';
      } else if (upstream) {
        scope = 'unknown';
      }
      if (scope === 'loopback' || scope === 'unknown') continue;
      const path =
        service.protocolPath[service.protocolPath.length - 1] === 'protocol' && scope !== 'external'
          ? service.protocolPath
          : service.hostPath;
      report({
        resource: service.resource,
        path: scope === 'external' ? service.hostPath : path,
        messageId: scope === 'external' ? 'external' : 'inCluster',
        severity: scope === 'external' ? undefined : 'note',
        data: { host: service.host, protocol: service.protocol },
      });
    }
    for (const svc of kongBackendServices(graph)) {
      const protocol = (svc.annotations['konghq.com/protocol'] ?? 'http').trim().toLowerCase();
      if (!PLAIN.has(protocol)) continue;
      const external =
        str(get(svc.body, 'spec', 'type')) === 'ExternalName' ? str(get(svc.body, 'spec', 'externalName')) : undefined;
      const scope = external !== undefined ? scopeOf(external) : 'cluster';
      if (scope === 'loopback' || scope === 'unknown') continue;
      const path =
        scope === 'external'
          ? ['spec', 'externalName']
          : svc.annotations['konghq.com/protocol'] !== undefined
            ? ['metadata', 'annotations', 'konghq.com/protocol']
            : svc.anchor;
      report({
        resource: svc,
        path,
        messageId: scope === 'external' ? 'external' : 'inCluster',
        severity: scope === 'external' ? undefined : 'note',
        data: { host: external ?? `${svc.name}.${svc.namespace}.svc`, protocol },
      });
    }
  },
});
