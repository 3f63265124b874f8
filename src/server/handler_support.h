// What the REST handlers share: the context they are built with (store,
// password hasher, login limiter, authenticator, server facts), reading ids
// from path parameters, times as RFC 3339, the JSON of the resources several
// handler files show (users), and answering store errors. Handlers stay one
// file per resource (users_handlers.cc, hosts_handlers.cc, ...); this file
// holds only what more than one of them needs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/openapi_spec.h"
#include "auth/login_rate_limiter.h"
#include "auth/password_hasher.h"
#include "core/finding.h"  // Json
#include "server/api_call.h"
#include "server/authenticator.h"
#include "server/http_json.h"
#include "store/store.h"

namespace warden::server {

class AgentConfigBuilder;
class ChannelDelivery;
class CloudSourceRunner;
class CommandHub;
class LiveQueryStreams;
class FleetVulnerabilityMatcher;

// Live queries' bounds (server.yaml `live_queries:`).
struct LiveQuerySettings {
  int64_t max_rows = 10'000'000;               // per campaign
  int64_t max_bytes = int64_t{1} << 30;        // per campaign, of row JSON
  store::EpochMs answer_timeout_ms = 120'000;  // a host not done by then is given up
  store::EpochMs max_offline_wait_ms = 7LL * 24 * 3600 * 1000;
  // Rows received from hosts and not yet stored, across live queries;
  // beyond it a chunk is refused with 503 + Retry-After (the agent sends it
  // again), so a fleet answering at once cannot fill the server's memory.
  int64_t max_pending_bytes = int64_t{64} << 20;
};

struct ReadinessCheck {
  std::string name;
  bool ok = false;
  std::string message;  // why not, when !ok
};

// Everything the REST handlers are built with. Pointers are borrowed and
// must outlive the handlers.
struct HandlerContext {
  store::Store* store = nullptr;
  const api::OpenApiSpec* spec = nullptr;
  auth::PasswordHasher* hasher = nullptr;
  auth::LoginRateLimiter* login_limiter = nullptr;
  const Authenticator* authenticator = nullptr;  // clock and session lifetimes
  // Queues commands for agents and wakes their long-polls (dismiss and
  // undismiss tell the problem's agent); nullptr in tests without agents.
  CommandHub* command_hub = nullptr;
  // Builds agents' configs from the stored recipes; told when a recipe,
  // attachment, host override or host label changes (AgentConfigsChanged).
  // nullptr in tests without it.
  AgentConfigBuilder* agent_configs = nullptr;
  // Delivers to the notification channels (restarted after each change,
  // test sends, live queue depth); nullptr in tests without it.
  ChannelDelivery* channels = nullptr;
  // The server's feed database and vulnerability matching (importFeed,
  // getFeedStatus); nullptr in tests without it.
  FleetVulnerabilityMatcher* vulnerability_matcher = nullptr;
  // Follows live queries for streamLiveQuery (a thread per stream);
  // nullptr in tests without it (the stream answers 503).
  LiveQueryStreams* live_query_streams = nullptr;
  LiveQuerySettings live_queries;
  // Follows the cloud accounts' sources; told to reconcile after a change
  // to a source, an account or an organisation. nullptr in tests without it.
  CloudSourceRunner* cloud_sources = nullptr;
  // The body of GET /metrics (Prometheus text); empty function: none yet.
  std::function<std::string()> metrics_text;
  // GET /readyz; the store is always checked.
  std::function<std::vector<ReadinessCheck>()> readiness;
  // A host seen within this window is online: three command long-poll
  // periods (the agent polls continuously with wait=10 s).
  store::EpochMs host_online_window_ms = 30'000;
  // The private CA agents pin (GET /api/v1/agent/ca); empty when the server
  // uses configured certificate files without a CA of its own.
  std::string ca_cert_pem;
  std::string ca_fingerprint;
  // The server certificate's key pin (tls_bootstrap.h's PublicKeyPin), for
  // the install command shown with a new enrol secret; "" when unknown.
  std::string server_key_pin;

  store::EpochMs Now() const { return authenticator->Now(); }
};

// A path (or query) id as the store's integer; nullopt when it is not a
// positive decimal integer (such an id names nothing: answer 404).
std::optional<int64_t> ParseId(std::string_view text);
std::optional<int64_t> IdParam(const ApiCall& call, std::string_view name);

// RFC 3339 UTC of epoch milliseconds; null for nullopt.
Json TimeJson(store::EpochMs at);
Json TimeJson(const std::optional<store::EpochMs>& at);

// active, expired or revoked at `now`.
std::string CredentialState(const std::optional<store::EpochMs>& revoked_at,
                            const std::optional<store::EpochMs>& expires_at, store::EpochMs now);

// The JSON of a user (the spec's User schema; never the password hash).
Json UserJson(const store::User& user);
// Who a change is recorded under: the user, API token or node calling
// ("system" for none).
store::ProblemActor ActorOf(const Principal& principal);

// A store failure as an answer (503 for unavailable, 500 naming the request
// id otherwise; InvalidArgument → 422 E_VALIDATION).
HttpResponse StoreErrorResponse(const Status& status, const ApiCall& call);
// The same for an answer made after the call (from a store continuation).
HttpResponse StoreErrorResponse(const Status& status, std::string_view request_id);

// An answer with the spec's error code and message.
HttpResponse ApiErrorResponse(std::string_view code, std::string message, std::string field = {});

// `after` (or `before`) of an audit entry: the JSON document's text.
std::optional<std::string> AuditJson(const Json& document);

// What the agent channel stored about a host: its counts, when each
// inventory snapshot arrived, its detectors.
struct HostFleetFacts {
  store::HostFleetCounts counts;
  store::InventoryTimes times;
  std::vector<store::DetectorState> detectors;
};
Result<HostFleetFacts> ReadHostFleetFacts(store::Store& store, int64_t host_id);

// The JSON of a host (the spec's Host schema) at `now`; without `facts`,
// counts are zero, inventory times null and detectors empty.
Json HostJson(const store::Host& host, store::EpochMs now, store::EpochMs online_window_ms,
              const HostFleetFacts* facts = nullptr);

// Whether `host` is online at `now`: not revoked, and seen within
// `online_window_ms` (HandlerContext::host_online_window_ms).
bool HostOnline(const store::Host& host, store::EpochMs now, store::EpochMs online_window_ms);

// Every host that is not revoked, or those carrying `label`, into `out` by
// id: the hosts a scan or live query can target.
Status CollectTargetableHosts(store::Store& store, const std::optional<std::string>& label,
                              std::map<int64_t, store::Host>* out);

// A recipe, attachment, host override or host label changed (and was
// committed): agents' config etags are recomputed and the parked polls of
// hosts whose config changed are answered, so they pull it at once.
void AgentConfigsChanged(const HandlerContext& context);

// The JSON of an audit entry (the spec's AuditEvent schema).
Json AuditEventJson(const api::OpenApiSpec& spec, const store::AuditEntry& entry);

// Argon2id verification costs the same for unknown users: a password is
// checked against this hash when the name is unknown.
const std::string& DummyPasswordHash(auth::PasswordHasher& hasher);

}  // namespace warden::server
