#include "server/agent_channel_handlers.h"

#include <algorithm>
#include <memory>

#include "api/api_error.h"
#include "auth/secret_token.h"
#include "core/encoding.h"
#include "server/handler_support.h"
#include "server/host_scheduled_queries.h"
#include "server/http_json.h"
#include "server/install_script.h"
#include "server/record_ingest.h"
#include "server/scan_progress.h"
#include "server/tls_bootstrap.h"

namespace warden::server {
namespace {

using Context = std::shared_ptr<const AgentChannelContext>;

std::string StringOr(const Json& object, std::string_view key, std::string fallback = "") {
  if (!object.is_object()) return fallback;
  auto it = object.find(std::string(key));
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::string RequestId(const ApiCall& call) { return call.http ? call.http->id : ""; }

HttpResponse GetCa(const Context& ctx) {
  HttpResponse r;
  r.status = 200;
  r.headers.Set("Content-Type", "application/x-pem-file");
  Result<std::string> fingerprint = CertificateFingerprint(ctx->ca_pem);
  if (fingerprint.ok()) r.headers.Set("X-Warden-Ca-Fingerprint", *fingerprint);
  if (!ctx->server_key_pin.empty()) r.headers.Set("X-Warden-Server-Key-Pin", ctx->server_key_pin);
  r.body = ctx->ca_pem;
  return r;
}

HttpResponse GetInstallScript(const Context& ctx, const ApiCall& call) {
  std::vector<AgentPackage> packages;
  if (ctx->packages != nullptr) {
    Result<std::vector<AgentPackage>> newest = ctx->packages->Newest();
    if (!newest.ok()) return StoreErrorResponse(newest.status(), RequestId(call));
    packages = std::move(*newest);
  }
  HttpResponse r;
  r.status = 200;
  r.headers.Set("Content-Type", "text/x-shellscript; charset=utf-8");
  r.headers.Set("Cache-Control", "no-store");
  r.body = InstallScript(packages);
  return r;
}

// The enrol secret comes as "Authorization: Bearer wdn_enr_...": the
// packages go to hosts about to enrol, not to anyone who asks.
HttpResponse GetPackage(const Context& ctx, const ApiCall& call) {
  auto refused = [] {
    return ApiErrorResponse(
        "E_ENROLL_SECRET_INVALID",
        "a package needs a valid enrol secret: Authorization: Bearer wdn_enr_...", "Authorization");
  };
  std::string_view header;
  if (call.http != nullptr)
    if (auto h = call.http->headers.Get("Authorization")) header = *h;
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() ||
      !EqualsIgnoreCase(header.substr(0, kBearer.size()), kBearer))
    return refused();
  const std::string secret(header.substr(kBearer.size()));
  if (auth::ParseTokenKind(secret) != auth::TokenKind::kEnrolSecret) return refused();
  Result<std::optional<store::EnrolSecret>> found =
      ctx->store->enrol_secrets().FindByHash(auth::TokenHash(secret));
  if (!found.ok()) return StoreErrorResponse(found.status(), RequestId(call));
  if (!found->has_value() || !(*found)->UsableAt(ctx->now())) return refused();
  const std::string file = call.params.value("file", "");
  auto not_found = [&] {
    return ApiErrorResponse("E_PACKAGE_NOT_FOUND", "the server holds no package file " + file,
                            "file");
  };
  if (ctx->packages == nullptr) return not_found();
  Result<std::shared_ptr<const std::string>> bytes = ctx->packages->Read(file);
  if (!bytes.ok()) return not_found();
  HttpResponse r;
  r.status = 200;
  r.headers.Set("Content-Type", "application/vnd.debian.binary-package");
  r.headers.Set("Content-Disposition", "attachment; filename=\"" + file + "\"");
  r.body = **bytes;
  return r;
}

HttpResponse Enroll(const Context& ctx, ApiCall& call) {
  const Json body = call.body.value_or(Json::object());
  const std::string secret = StringOr(body, "secret");
  const Json identity = body.value("identity", Json::object());
  auto invalid = [] {
    return ApiErrorResponse("E_ENROLL_SECRET_INVALID",
                            "the enrol secret is unknown, expired or revoked", "secret");
  };
  if (auth::ParseTokenKind(secret) != auth::TokenKind::kEnrolSecret) return invalid();
  Result<std::optional<store::EnrolSecret>> found =
      ctx->store->enrol_secrets().FindByHash(auth::TokenHash(secret));
  if (!found.ok()) return StoreErrorResponse(found.status(), RequestId(call));
  if (!found->has_value() || !(*found)->UsableAt(ctx->now())) return invalid();

  store::HostEnrolment e;
  e.machine_id = StringOr(identity, "machine_id");
  e.instance_id = StringOr(identity, "instance_id");
  e.hostname = StringOr(identity, "hostname");
  const Json os = identity.value("os", Json::object());
  e.os = {StringOr(os, "name"), StringOr(os, "version"), StringOr(os, "id"),
          StringOr(os, "codename")};
  e.kernel = StringOr(identity, "kernel");
  e.arch = StringOr(identity, "arch");
  e.agent_version = StringOr(identity, "agent_version");
  e.enrol_secret_id = (*found)->id;
  const std::string node_key = auth::GenerateToken(auth::TokenKind::kNodeKey);
  e.node_key_sha256 = auth::TokenHash(node_key);
  e.now = ctx->now();

  store::AuditEntry audit = call.audit;
  if (audit.time == 0) audit.time = e.now;
  if (audit.action.empty()) audit.action = "enrollAgent";
  const std::string secret_name = (*found)->name;
  Result<store::EnrolOutcome> outcome =
      ctx->store
          ->Write([e, audit, secret_name](store::StoreWriter& w) -> Result<store::EnrolOutcome> {
            ASSIGN_OR_RETURN(store::EnrolOutcome out, w.hosts().Enrol(e));
            store::AuditEntry entry = audit;
            entry.actor_type = store::ActorType::kNode;
            entry.actor_id = std::to_string(out.host.id);
            entry.actor_name = out.host.hostname;
            entry.target_type = "host";
            entry.target_id = std::to_string(out.host.id);
            entry.after_json = Json{
                {"host_id", std::to_string(out.host.id)},
                {"hostname", out.host.hostname},
                {"created", out.created},
                {"duplicate_identity", out.host.duplicate_identity},
                {"enroll_secret",
                 secret_name}}.dump();
            RETURN_IF_ERROR(w.audit().Append(entry).status());
            return out;
          })
          .Wait();
  if (!outcome.ok()) {
    const Status& st = outcome.status();
    if (st.code() == StatusCode::kPermissionDenied) {
      if (st.message().rfind("enrol secret", 0) == 0) return invalid();
      return ApiErrorResponse("E_HOST_REVOKED",
                              "this host was revoked; delete it on the server to enrol it again");
    }
    return StoreErrorResponse(st, RequestId(call));
  }
  return JsonResponse(200, Json{{"host_id", std::to_string(outcome->host.id)},
                                {"node_key", node_key},
                                {"poll_wait_seconds", ctx->options.poll_wait_seconds},
                                {"duplicate_identity", outcome->host.duplicate_identity}});
}

// RFC 9110 If-None-Match: "*" or a list of (weak or strong) entity tags.
bool MatchesEtag(std::string_view if_none_match, std::string_view etag) {
  auto strip = [](std::string_view t) {
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    if (t.substr(0, 2) == "W/") t.remove_prefix(2);
    return t;
  };
  std::string_view bare = strip(etag);
  size_t start = 0;
  while (start <= if_none_match.size()) {
    size_t comma = if_none_match.find(',', start);
    std::string_view item = strip(if_none_match.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (item == "*" || item == bare) return true;
    if (item.size() >= 2 && item.front() == '"' && item.substr(1, item.size() - 2) == bare)
      return true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

HttpResponse GetConfig(const Context& ctx, ApiCall& call) {
  ctx->store->TouchHost(call.principal.host_id, ctx->now());
  Result<Json> built = ctx->configs->ConfigFor(call.principal.host_id);
  if (!built.ok()) {
    if (built.status().code() == StatusCode::kNotFound)
      return ApiErrorResponse(api::kErrorUnauthenticated, "this host is not enrolled");
    return StoreErrorResponse(built.status(), RequestId(call));
  }
  Json config = std::move(*built);
  const std::string etag = config["etag"].get<std::string>();
  std::string if_none_match = StringOr(call.params, "If-None-Match");
  if (if_none_match.empty() && call.http)
    if_none_match = std::string(call.http->headers.Get("If-None-Match").value_or(""));
  if (!if_none_match.empty() && MatchesEtag(if_none_match, etag)) {
    HttpResponse r;
    r.status = 304;
    r.headers.Set("ETag", etag);
    return r;
  }
  HttpResponse r = JsonResponse(200, config);
  r.headers.Set("ETag", etag);
  return r;
}

void PushRecords(const Context& ctx, ApiCall& call, const HttpResponder& responder) {
  const int64_t host_id = call.principal.host_id;
  Result<std::optional<store::Host>> host = ctx->store->hosts().Get(host_id);
  if (!host.ok()) {
    responder.Send(StoreErrorResponse(host.status(), RequestId(call)));
    return;
  }
  if (!host->has_value()) {
    responder.Send(ApiErrorResponse(api::kErrorUnauthenticated, "this host is not enrolled"));
    return;
  }
  PreparedRecordBatch batch = PrepareRecordBatch(call.body.value_or(Json()));
  if (batch.error) {
    responder.Send(
        ApiErrorResponse(api::kErrorValidation, batch.error->message, batch.error->field));
    return;
  }
  const store::EpochMs now = ctx->now();
  ctx->store->TouchHost(host_id, now);
  IngestRecordBatch(*ctx->store, IngestHost{host_id, (*host)->hostname, (*host)->labels},
                    std::move(batch), now)
      .Then([ctx, host_id, responder, request_id = RequestId(call)](Result<IngestOutcome> outcome) {
        if (!outcome.ok()) {
          responder.Send(StoreErrorResponse(outcome.status(), request_id));
          return;
        }
        if (outcome->packages_changed && ctx->packages_changed) ctx->packages_changed(host_id);
        if (outcome->commands_queued && ctx->hub != nullptr) ctx->hub->Notify(host_id);
        responder.Send(JsonResponse(
            200, Json{{"accepted", outcome->accepted}, {"duplicates", outcome->duplicates}}));
      });
}

void PollCommands(const Context& ctx, ApiCall& call, const HttpResponder& responder) {
  int64_t wait = ctx->options.poll_wait_seconds;
  auto it = call.params.find("wait");
  if (it != call.params.end() && it->is_number_integer()) wait = it->get<int64_t>();
  wait = std::clamp<int64_t>(wait, 0, 10);
  ctx->store->TouchHost(call.principal.host_id, ctx->now());
  ctx->hub->Poll(call.principal.host_id, std::chrono::seconds(wait), responder,
                 StringOr(call.params, "config_etag"));
}

HttpResponse CommandNotFound(std::string_view id_text) {
  return ApiErrorResponse("E_COMMAND_NOT_FOUND",
                          "no command " + std::string(id_text.substr(0, 64)) + " for this host",
                          "command_id");
}

// Answered from the store's commit (no worker waits): a fleet answering a
// live query at once queues its results into the writer's batches.
void PostCommandResult(const Context& ctx, ApiCall& call, const HttpResponder& responder) {
  std::string id_text = StringOr(call.params, "command_id");
  if (id_text.empty() && call.http) id_text = std::string(call.http->PathParam("command_id"));
  const bool numeric = !id_text.empty() && id_text.size() <= 18 &&
                       id_text.find_first_not_of("0123456789") == std::string::npos;
  const int64_t id = numeric ? std::stoll(id_text) : 0;
  if (id <= 0) {
    responder.Send(CommandNotFound(id_text));
    return;
  }
  const Json body = call.body.value_or(Json::object());
  store::AgentCommandOutcome outcome;
  outcome.status = StringOr(body, "status");
  auto error = body.find("error");
  if (error != body.end() && error->is_string()) outcome.error = error->get<std::string>();
  auto output = body.find("output");
  if (output != body.end() && output->is_object()) outcome.output_json = output->dump();
  auto finished = body.find("finished_at_ms");
  outcome.finished_at = finished != body.end() && finished->is_number_integer()
                            ? finished->get<int64_t>()
                            : ctx->now();
  const int64_t host_id = call.principal.host_id;
  ctx->store->TouchHost(host_id, ctx->now());
  ctx->store
      ->Write([host_id, id, outcome](store::StoreWriter& w) {
        return RecordCommandResult(w, host_id, id, outcome);
      })
      .Then([responder, id_text,
             request_id = RequestId(call)](Result<store::CommandResultUpdate> update) {
        if (!update.ok()) {
          responder.Send(StoreErrorResponse(update.status(), request_id));
          return;
        }
        switch (*update) {
          case store::CommandResultUpdate::kRecorded:
          case store::CommandResultUpdate::kSameAgain: {
            HttpResponse r;
            r.status = 204;
            responder.Send(std::move(r));
            return;
          }
          case store::CommandResultUpdate::kConflict:
            responder.Send(ApiErrorResponse("E_COMMAND_ALREADY_COMPLETED",
                                            "command " + id_text + " already has another result"));
            return;
          case store::CommandResultUpdate::kNotFound:
            break;
        }
        responder.Send(CommandNotFound(id_text));
      });
}

}  // namespace

void RegisterAgentChannelHandlers(ApiHandlers& handlers, AgentChannelContext context) {
  context.options.poll_wait_seconds = std::clamp(context.options.poll_wait_seconds, 1, 10);
  std::shared_ptr<AgentConfigBuilder> own_configs;
  if (context.configs == nullptr) {
    own_configs = std::make_shared<AgentConfigBuilder>(*context.store, context.options);
    context.configs = own_configs.get();
  }
  Context ctx = std::shared_ptr<const AgentChannelContext>(
      new AgentChannelContext(std::move(context)),
      [own_configs](const AgentChannelContext* c) { delete c; });
  handlers.Add("getAgentCa", [ctx](ApiCall&) { return GetCa(ctx); });
  handlers.Add("getAgentInstallScript",
               [ctx](ApiCall& call) { return GetInstallScript(ctx, call); });
  handlers.Add("getAgentPackage", [ctx](ApiCall& call) { return GetPackage(ctx, call); });
  handlers.Add("enrollAgent", [ctx](ApiCall& call) { return Enroll(ctx, call); });
  handlers.Add("getAgentConfig", [ctx](ApiCall& call) { return GetConfig(ctx, call); });
  handlers.AddAsync("pushAgentRecords", [ctx](ApiCall& call, const HttpResponder& responder) {
    PushRecords(ctx, call, responder);
  });
  handlers.AddAsync("pollAgentCommands", [ctx](ApiCall& call, const HttpResponder& responder) {
    PollCommands(ctx, call, responder);
  });
  handlers.AddAsync("postAgentCommandResult", [ctx](ApiCall& call, const HttpResponder& responder) {
    PostCommandResult(ctx, call, responder);
  });
}

}  // namespace warden::server
