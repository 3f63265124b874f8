#include "server/osquery_handlers.h"

#include <algorithm>
#include <set>
#include <utility>

#include "api/api_error.h"
#include "auth/secret_token.h"
#include "server/http_json.h"
#include "server/osquery_wire.h"
#include "server/record_ingest.h"
#include "server/scan_progress.h"

namespace warden::server {
namespace {

using Context = std::shared_ptr<const OsqueryContext>;

// Result lines are ingested in batches of at most this many records (the
// agent channel's batch bound is 10,000).
constexpr size_t kRecordsPerIngest = 1000;

std::string RequestId(const ApiCall& call) { return call.http ? call.http->id : ""; }

// A store failure in osquery's shape: busy is 503 (osquery keeps its data
// and retries), anything else 500 with the request id (the details are for
// the server's log, not the agent).
HttpResponse StoreFailure(const Status& status, const ApiCall& call) {
  if (status.code() == StatusCode::kUnavailable)
    return OsqueryErrorResponse(503, "the server is busy storing other data; retry", false);
  return OsqueryErrorResponse(
      500, "the server could not store this (request " + RequestId(call) + ")", false);
}

HttpResponse Ack() { return JsonResponse(200, Json{{"node_invalid", false}}); }

// The host of the call's node key, or the answer to give.
std::variant<store::Host, HttpResponse> CallerHost(const Context& ctx, const ApiCall& call) {
  auto host = ctx->store->hosts().Get(call.principal.host_id);
  if (!host.ok()) return StoreFailure(host.status(), call);
  if (!host->has_value()) return OsqueryErrorResponse(401, "this host is not enrolled", true);
  return **host;
}

HttpResponse Enroll(const Context& ctx, ApiCall& call) {
  Result<OsqueryEnrollment> parsed = ParseOsqueryEnrollment(call.body.value_or(Json()));
  if (!parsed.ok()) return OsqueryErrorResponse(422, parsed.status().message(), false);
  const OsqueryEnrollment& enrolment = *parsed;
  auto invalid = [] {
    return OsqueryErrorResponse(401, "the enrol secret is unknown, expired or revoked", true);
  };
  if (auth::ParseTokenKind(enrolment.enroll_secret) != auth::TokenKind::kEnrolSecret)
    return invalid();
  const store::EpochMs now = ctx->now();
  auto secret = ctx->store->enrol_secrets().FindByHash(auth::TokenHash(enrolment.enroll_secret));
  if (!secret.ok()) return StoreFailure(secret.status(), call);
  if (!secret->has_value() || !(*secret)->UsableAt(now)) return invalid();

  store::HostEnrolment e;
  e.machine_id = enrolment.machine_id;
  e.instance_id = enrolment.instance_id;
  e.hostname = enrolment.hostname;
  e.os = {enrolment.os_name, enrolment.os_version, enrolment.os_id, enrolment.os_codename};
  e.arch = enrolment.arch;
  e.agent_type = "osquery";
  e.agent_version = enrolment.osquery_version;
  e.enrol_secret_id = (*secret)->id;
  const std::string node_key = auth::GenerateToken(auth::TokenKind::kNodeKey);
  e.node_key_sha256 = auth::TokenHash(node_key);
  e.now = now;

  store::AuditEntry audit = call.audit;
  if (audit.time == 0) audit.time = now;
  if (audit.action.empty()) audit.action = "enrollOsquery";
  const std::string secret_name = (*secret)->name;
  const std::string host_identifier = enrolment.host_identifier;
  Result<store::EnrolOutcome> outcome =
      ctx->store
          ->Write([e, audit, secret_name,
                   host_identifier](store::StoreWriter& w) -> Result<store::EnrolOutcome> {
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
                {"agent", "osquery"},
                {"host_identifier", host_identifier},
                {"created", out.created},
                {"duplicate_identity", out.host.duplicate_identity},
                {"enroll_secret",
                 secret_name}}.dump(-1, ' ', false, Json::error_handler_t::replace);
            RETURN_IF_ERROR(w.audit().Append(entry).status());
            return out;
          })
          .Wait();
  if (!outcome.ok()) {
    const Status& st = outcome.status();
    if (st.code() == StatusCode::kPermissionDenied) {
      if (st.message().rfind("enrol secret", 0) == 0) return invalid();
      return OsqueryErrorResponse(
          409, "this host was revoked; delete it on the server to enrol it again", false);
    }
    if (st.code() == StatusCode::kInvalidArgument)
      return OsqueryErrorResponse(422, st.message(), false);
    return StoreFailure(st, call);
  }
  ctx->stats->enrolments++;
  return JsonResponse(200, Json{{"node_key", node_key}, {"node_invalid", false}});
}

Json ScheduledQueryJson(const OsqueryScheduledQuery& q) {
  return Json{{"query", q.sql},
              {"interval", std::max<int64_t>(1, q.interval_seconds)},
              {"snapshot", q.snapshot}};
}

HttpResponse GetConfig(const Context& ctx, ApiCall& call) {
  auto host = CallerHost(ctx, call);
  if (auto* refused = std::get_if<HttpResponse>(&host)) return std::move(*refused);
  ctx->store->TouchHost(call.principal.host_id, ctx->now());
  std::vector<OsqueryScheduledQuery> scheduled;
  if (ctx->scheduled_queries) {
    Result<std::vector<OsqueryScheduledQuery>> found =
        ctx->scheduled_queries(std::get<store::Host>(host));
    if (!found.ok())
      return OsqueryErrorResponse(503, "the host's schedule could not be read; retry", false);
    scheduled = std::move(*found);
  }
  Json schedule = Json::object();
  Json packs = Json::object();
  for (const OsqueryScheduledQuery& q : scheduled) {
    if (q.name.empty() || q.sql.empty()) continue;
    if (q.pack.empty()) {
      schedule[q.name] = ScheduledQueryJson(q);
    } else {
      packs[q.pack]["queries"][q.name] = ScheduledQueryJson(q);
    }
  }
  const OsqueryOptions& o = ctx->options;
  // Only flags osquery lets a remote config set (plugins/config/parsers/
  // options.cpp ignores CLI-only ones such as config_refresh).
  Json options = {{"distributed_interval", o.distributed_interval_seconds},
                  {"logger_tls_period", o.logger_tls_period_seconds},
                  {"disable_distributed", false}};
  return JsonResponse(200, Json{{"options", std::move(options)},
                                {"schedule", std::move(schedule)},
                                {"packs", std::move(packs)}});
}

// The severity of a status line (osquery: 0 info, 1 warning, 2 error, 3
// fatal), as a number or a decimal string.
int64_t Severity(const Json& line) {
  auto it = line.find("severity");
  if (it == line.end()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    if (s.size() == 1 && s[0] >= '0' && s[0] <= '9') return s[0] - '0';
  }
  return 0;
}

HttpResponse PushLogs(const Context& ctx, ApiCall& call) {
  Result<OsqueryLogBatch> parsed = ParseOsqueryLogBatch(call.body.value_or(Json()));
  if (!parsed.ok()) return OsqueryErrorResponse(422, parsed.status().message(), false);
  auto host = CallerHost(ctx, call);
  if (auto* refused = std::get_if<HttpResponse>(&host)) return std::move(*refused);
  const store::Host& h = std::get<store::Host>(host);
  const store::EpochMs now = ctx->now();
  ctx->store->TouchHost(h.id, now);
  OsqueryStats& stats = *ctx->stats;
  stats.skipped_lines += static_cast<uint64_t>(parsed->skipped);
  if (parsed->type == OsqueryLogType::kStatus) {
    for (const Json& line : parsed->lines) {
      stats.status_lines++;
      if (Severity(line) >= 2) stats.status_errors++;
    }
    return Ack();
  }
  int64_t skipped = 0;
  Json batch = OsqueryResultRecordBatch(parsed->lines, &skipped);
  stats.skipped_lines += static_cast<uint64_t>(skipped);
  const Json& records = batch["records"];
  const std::string batch_id = batch["batch_id"].get<std::string>();
  // In bounded batches, one after the other: a failure answers `error`, so
  // osquery sends the whole upload again and what was stored before it
  // comes back as duplicates.
  for (size_t start = 0; start < records.size(); start += kRecordsPerIngest) {
    Json part = Json::array();
    for (size_t i = start; i < std::min(records.size(), start + kRecordsPerIngest); ++i)
      part.push_back(records[i]);
    PreparedRecordBatch prepared = PrepareRecordBatch(
        Json{{"batch_id", batch_id + "-" + std::to_string(start / kRecordsPerIngest)},
             {"records", std::move(part)}});
    if (prepared.error) {
      return OsqueryErrorResponse(422, prepared.error->field + ": " + prepared.error->message,
                                  false);
    }
    Result<IngestOutcome> stored =
        IngestRecordBatch(*ctx->store, IngestHost{h.id, h.hostname, h.labels}, std::move(prepared),
                          now)
            .Wait();
    if (!stored.ok()) return StoreFailure(stored.status(), call);
    stats.result_lines += static_cast<uint64_t>(stored->accepted);
    stats.duplicate_lines += static_cast<uint64_t>(stored->duplicates);
  }
  return Ack();
}

HttpResponse ReadQueries(const Context& ctx, ApiCall& call) {
  const int64_t host_id = call.principal.host_id;
  const store::EpochMs now = ctx->now();
  ctx->store->TouchHost(host_id, now);
  auto pending = ctx->store->commands().Pending(host_id, now - ctx->options.redeliver_after_ms,
                                                ctx->options.max_queries_per_read);
  if (!pending.ok()) return StoreFailure(pending.status(), call);
  Json queries = Json::object();
  std::vector<int64_t> delivered;
  std::vector<store::AgentCommandRow> refused;
  for (const store::AgentCommandRow& command : *pending) {
    if (command.type != "live_query") {
      refused.push_back(command);
      continue;
    }
    Json args = Json::parse(command.args_json, nullptr, false);
    std::string sql = args.is_object() ? args.value("sql", std::string()) : std::string();
    if (sql.empty()) {
      refused.push_back(command);
      continue;
    }
    queries[OsqueryQueryName(command.id)] = std::move(sql);
    delivered.push_back(command.id);
  }
  if (!delivered.empty() || !refused.empty()) {
    auto marked = ctx->store
                      ->Write([&](store::StoreWriter& w) -> Status {
                        if (!delivered.empty())
                          RETURN_IF_ERROR(MarkCommandsDelivered(w, delivered, now));
                        for (const store::AgentCommandRow& c : refused) {
                          store::AgentCommandOutcome outcome;
                          outcome.status = "rejected";
                          outcome.error = "osquery agents do not run " + c.type + " commands";
                          outcome.finished_at = now;
                          RETURN_IF_ERROR(RecordCommandResult(w, host_id, c.id, outcome).status());
                        }
                        return Status::Ok();
                      })
                      .Wait();
    if (!marked.ok()) return StoreFailure(marked.status(), call);
  }
  ctx->stats->queries_delivered += delivered.size();
  Json answer = {{"queries", std::move(queries)}, {"node_invalid", false}};
  // osquery (Distributed::acceptWork) moves the end of its acceleration to
  // `accelerate` seconds from now whenever the member is an integer, so it
  // is sent only with new queries: an empty poll leaves a running
  // acceleration alone instead of ending it.
  if (!delivered.empty()) answer["accelerate"] = ctx->options.accelerate_seconds;
  return JsonResponse(200, answer);
}

HttpResponse WriteResults(const Context& ctx, ApiCall& call) {
  Result<std::vector<OsqueryQueryAnswer>> parsed =
      ParseOsqueryDistributedWrite(call.http ? std::string_view(call.http->body)
                                             : std::string_view(call.body.value_or(Json()).dump()));
  if (!parsed.ok()) return OsqueryErrorResponse(422, parsed.status().message(), false);
  const int64_t host_id = call.principal.host_id;
  const store::EpochMs now = ctx->now();
  ctx->store->TouchHost(host_id, now);
  std::vector<OsqueryQueryAnswer> answers = std::move(*parsed);
  auto applied =
      ctx->store
          ->Write([&](store::StoreWriter& w) -> Result<int64_t> {
            int64_t count = 0;
            for (const OsqueryQueryAnswer& a : answers) {
              std::optional<int64_t> command_id = CommandIdOfOsqueryQuery(a.name);
              if (!command_id) continue;
              if (!a.rows.empty()) {
                store::LiveQueryChunk chunk;
                chunk.seq = 0;
                chunk.columns = a.columns;
                chunk.rows = a.rows;
                RETURN_IF_ERROR(
                    w.live_queries().AppendChunk(host_id, *command_id, chunk, now).status());
              }
              store::AgentCommandOutcome outcome;
              outcome.status = a.status == 0 ? "succeeded" : "failed";
              if (a.status != 0) {
                outcome.error = a.message.empty()
                                    ? "osquery answered status " + std::to_string(a.status)
                                    : a.message;
              }
              Json output = {{"rows", static_cast<int64_t>(a.rows.size())}};
              if (a.wall_time_ms) output["duration_ms"] = *a.wall_time_ms;
              outcome.output_json = output.dump();
              outcome.finished_at = now;
              ASSIGN_OR_RETURN(store::CommandResultUpdate update,
                               RecordCommandResult(w, host_id, *command_id, outcome));
              if (update == store::CommandResultUpdate::kRecorded) ++count;
            }
            return count;
          })
          .Wait();
  if (!applied.ok()) return StoreFailure(applied.status(), call);
  ctx->stats->answers += static_cast<uint64_t>(*applied);
  return Ack();
}

}  // namespace

bool IsOsqueryHost(const store::Host& host) { return host.agent_type == "osquery"; }

const std::vector<std::string>& UnavailableFeatures(const store::Host& host) {
  static const std::vector<std::string> none;
  static const std::vector<std::string> osquery = {"problems", "runtime_events", "inventory",
                                                   "run_now_scans", "dismiss_commands"};
  return IsOsqueryHost(host) ? osquery : none;
}

void RegisterOsqueryHandlers(ApiHandlers& handlers, OsqueryContext context) {
  if (!context.stats) context.stats = std::make_shared<OsqueryStats>();
  context.options.accelerate_seconds = std::max(0, context.options.accelerate_seconds);
  Context ctx = std::make_shared<const OsqueryContext>(std::move(context));
  handlers.Add("enrollOsquery", [ctx](ApiCall& call) { return Enroll(ctx, call); });
  handlers.Add("getOsqueryConfig", [ctx](ApiCall& call) { return GetConfig(ctx, call); });
  handlers.Add("pushOsqueryLogs", [ctx](ApiCall& call) { return PushLogs(ctx, call); });
  handlers.Add("readOsqueryQueries", [ctx](ApiCall& call) { return ReadQueries(ctx, call); });
  handlers.Add("writeOsqueryResults", [ctx](ApiCall& call) { return WriteResults(ctx, call); });
}

std::string OsqueryMetricsText(const OsqueryStats& s) {
  std::string out;
  auto counter = [&](const std::string& name, const std::string& help, const std::string& lines) {
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " counter\n" + lines;
  };
  counter("warden_osquery_enrolments_total", "osquery agents enrolled.",
          "warden_osquery_enrolments_total " + std::to_string(s.enrolments.load()) + "\n");
  counter("warden_osquery_log_lines_total", "osquery log lines received, by what became of them.",
          "warden_osquery_log_lines_total{kind=\"result\",outcome=\"stored\"} " +
              std::to_string(s.result_lines.load()) + "\n" +
              "warden_osquery_log_lines_total{kind=\"result\",outcome=\"duplicate\"} " +
              std::to_string(s.duplicate_lines.load()) + "\n" +
              "warden_osquery_log_lines_total{kind=\"any\",outcome=\"skipped\"} " +
              std::to_string(s.skipped_lines.load()) + "\n" +
              "warden_osquery_log_lines_total{kind=\"status\",outcome=\"counted\"} " +
              std::to_string(s.status_lines.load()) + "\n" +
              "warden_osquery_log_lines_total{kind=\"status_error\",outcome=\"counted\"} " +
              std::to_string(s.status_errors.load()) + "\n");
  counter("warden_osquery_queries_delivered_total", "Live queries handed to osquery agents.",
          "warden_osquery_queries_delivered_total " + std::to_string(s.queries_delivered.load()) +
              "\n");
  counter("warden_osquery_answers_total", "Live query answers from osquery agents applied.",
          "warden_osquery_answers_total " + std::to_string(s.answers.load()) + "\n");
  return out;
}

}  // namespace warden::server
