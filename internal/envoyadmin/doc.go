// Package envoyadmin is a test stand-in for an Envoy admin endpoint: it serves a saved
// /config_dump (a file written by Envoy, istiod's debug handler or hack/dumpgen) and answers
// GET /config_dump with Envoy's own query parameters — include_eds, resource, mask and
// name_regex — the way Envoy's admin does, so the cheap live fetch of package envoy can be
// tested and measured without an Envoy binary (none can be had on these machines).
//
// The semantics were read from Envoy's source, not guessed; each rule cites where:
//
//   - source/server/admin/config_dump_handler.cc, ConfigDumpHandler::handlerConfigDump,
//     addAllConfigToDump, addResourceToDump, trimResourceMessage, buildNameMatcher;
//   - the per-component dump callbacks that apply the name matcher:
//     ListenerManagerImpl::dumpListenerConfigs (source/common/listener_manager/),
//     ClusterManagerImpl::dumpClusterConfigs (source/common/upstream/cluster_manager_impl.cc),
//     RouteConfigProviderManagerImpl::dumpRouteConfigs (source/common/rds/),
//     ScopedRoutesConfigProviderManager::dumpConfigs (source/common/router/scoped_rds.cc),
//     SecretManagerImpl::dumpSecretConfigs (source/common/secret/secret_manager_impl.cc),
//     ConfigDumpHandler::dumpEndpointConfigs; the bootstrap callback ignores the matcher
//     (source/server/server.cc);
//   - Regex::CompiledGoogleReMatcher::match (source/common/common/regex.h): RE2 FullMatch;
//   - protobuf's FieldMaskUtil::GetFieldDescriptors and FieldMaskTree::TrimMessage for masks;
//   - docs/root/operations/admin.rst, the /config_dump section.
//
// What Envoy computes from live state (which clusters are active, endpoint health) is
// taken from the file as it is: an EndpointsConfigDump entry in the file is served only
// with include_eds, and none is invented when the file has none.
package envoyadmin
