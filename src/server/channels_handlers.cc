// Notification channels: listChannels, exportChannels, createChannel,
// getChannel, updateChannel, deleteChannel, testChannel, getChannelStatus.
//
// A channel's settings are checked against its type (channel_settings.h)
// before anything is stored; the change and its audit entry are one
// Store::Write, and once committed the channel's delivery is restarted with
// the new settings (channel_delivery.h). The secret (Slack webhook URL,
// webhook signing key, HEC token) is write-only: no answer, export or audit
// entry carries it, only `has_secret` (and `secret_changed` in the audit
// entry of an update that replaced it). A channel's `delivery` is its stored
// account (state, last success, last error, counts) with the live queue
// depth and dropped count.
//
// testChannel sends one test record now, synchronously, at most 15 s, and
// answers what the receiver said (also when it refused: `ok` false); the
// outcome becomes the channel's last success or last error. At most ten
// tests a minute per channel, one at a time (429 with Retry-After beyond).
//
// Not here: free-text `q` on the list (422 until the store indexes it).
#include <string>

#include "server/channel_delivery.h"
#include "server/channel_settings.h"
#include "server/list_response.h"
#include "server/rest_handlers.h"

namespace warden::server {
namespace {

constexpr std::chrono::milliseconds kTestTimeLimit{15000};

const ListBinding& ChannelListBinding() {
  static const ListBinding binding = [] {
    ListBinding b;
    b.sort_fields = {{"name", "name"}, {"type", "type"}, {"created_at", "created_at"}};
    b.filters["type"] = OneOfFilter("type", {"slack", "webhook", "syslog", "splunk_hec", "file"});
    b.filters["enabled"] = EqualsFilter("enabled");
    b.filters["q"] = TextSearchFilter({"name"});
    auto state = [](const char* s) {
      return std::vector<store::FieldFilter>{
          {"enabled", store::FilterOp::kEq, Value(int64_t{1})},
          {"delivery_state", store::FilterOp::kEq, Value(std::string(s))}};
    };
    b.filters["delivery_state"] =
        ChoiceFilter({{"ok", state("ok")},
                      {"failing", state("failing")},
                      {"idle", state("idle")},
                      {"disabled", {{"enabled", store::FilterOp::kEq, Value(int64_t{0})}}}});
    return b;
  }();
  return binding;
}

Json ParsedObject(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  return j.is_object() ? j : Json::object();
}

Json DeliveryStatusJson(const store::Channel& c, const ChannelLiveStatus& live) {
  const store::ChannelDelivery& d = c.delivery;
  return Json{{"state", c.enabled ? d.state : std::string("disabled")},
              {"last_success_at", TimeJson(d.last_success_at)},
              {"last_error_at", TimeJson(d.last_error_at)},
              {"last_error", d.last_error ? Json(*d.last_error) : Json(nullptr)},
              {"queue_depth", live.queue_depth},
              {"delivered", d.delivered},
              {"failed", d.failed},
              {"dropped", live.dropped}};
}

// The channel without its delivery account: what the audit log keeps.
Json ChannelSettingsJson(const store::Channel& c) {
  Json j = Json::object();
  j["id"] = std::to_string(c.id);
  j["name"] = c.name;
  j["type"] = c.type;
  j["enabled"] = c.enabled;
  j["config"] = ParsedObject(c.config_json);
  j["has_secret"] = c.secret.has_value();
  j["triggers"] = ChannelTriggersJson(ParseChannelTriggers(ParsedObject(c.triggers_json)));
  j["created_at"] = TimeJson(c.created_at);
  j["updated_at"] = TimeJson(c.updated_at);
  return j;
}

HttpResponse ChannelNotFound() {
  return ApiErrorResponse("E_CHANNEL_NOT_FOUND", "no such notification channel", "channel_id");
}

HttpResponse NameTaken(const std::string& name) {
  return ApiErrorResponse(api::kErrorNameTaken,
                          "a notification channel named '" + name + "' exists", "/name");
}

// The secret of a body: absent (nullopt), removed (set to nullopt) or new.
std::optional<std::optional<std::string>> BodySecret(const Json& body) {
  auto it = body.find("secret");
  if (it == body.end()) return std::nullopt;
  if (it->is_string()) return std::optional<std::string>(it->get<std::string>());
  return std::optional<std::string>();
}

}  // namespace

void RegisterChannelsHandlers(ApiHandlers& handlers, const HandlerContext& ctx) {
  auto live = [ctx](int64_t id) {
    return ctx.channels ? ctx.channels->Live(id) : ChannelLiveStatus{};
  };
  auto render = [live](const store::Channel& c) {
    Json j = ChannelSettingsJson(c);
    j["delivery"] = DeliveryStatusJson(c, live(c.id));
    return j;
  };
  // The stored channel of the path, or the answer.
  auto load = [ctx](const ApiCall& call) -> std::variant<store::Channel, HttpResponse> {
    std::optional<int64_t> id = IdParam(call, "channel_id");
    if (!id) return ChannelNotFound();
    auto channel = ctx.store->channels().Get(*id);
    if (!channel.ok()) return StoreErrorResponse(channel.status(), call);
    if (!channel->has_value()) return ChannelNotFound();
    return **channel;
  };

  handlers.Add("listChannels", [ctx, render](ApiCall& call) {
    auto query = BuildListQuery(call, ChannelListBinding());
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = ctx.store->channels().List(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    return JsonResponse(200, PageJson(*page, render));
  });

  handlers.AddAsync("exportChannels", [ctx, render](ApiCall& call, HttpResponder responder) {
    auto query = BuildListQuery(call, ChannelListBinding());
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    StreamExport<store::Channel>(
        call, std::move(responder), "channels",
        {"id", "name", "type", "enabled", "config", "has_secret", "triggers", "created_at",
         "updated_at", "delivery"},
        std::get<store::ListQuery>(query),
        [&](const store::ListQuery& q, const store::RowCallback<store::Channel>& row) {
          return ctx.store->channels().Export(q, row);
        },
        render);
  });

  handlers.Add("createChannel", [ctx, render](ApiCall& call) {
    const Json& body = *call.body;
    const std::string type = body.value("type", "");
    std::optional<std::string> secret = BodySecret(body).value_or(std::nullopt);
    auto checked =
        CheckChannelSettings(*ctx.spec, type, body.value("config", Json::object()), secret);
    if (auto* refused = std::get_if<ChannelSettingsError>(&checked))
      return ApiErrorResponse(api::kErrorValidation, refused->field + ": " + refused->message,
                              refused->field);
    store::NewChannel channel;
    channel.name = body.value("name", "");
    channel.type = type;
    channel.enabled = body.value("enabled", true);
    channel.config_json = AuditJson(std::get<Json>(checked)).value_or("{}");
    channel.secret = std::move(secret);
    channel.triggers_json =
        AuditJson(ChannelTriggersJson(ParseChannelTriggers(body.value("triggers", Json::object()))))
            .value_or("{}");
    channel.created_at = ctx.Now();
    store::AuditEntry entry = call.audit;
    entry.target_type = "channel";
    auto done =
        ctx.store
            ->Write([&](store::StoreWriter& w) -> Result<std::optional<store::Channel>> {
              ASSIGN_OR_RETURN(std::optional<store::Channel> created, w.channels().Create(channel));
              if (!created) return created;
              entry.target_id = std::to_string(created->id);
              entry.after_json = AuditJson(ChannelSettingsJson(*created));
              RETURN_IF_ERROR(w.audit().Append(entry).status());
              return created;
            })
            .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!done->has_value()) return NameTaken(channel.name);
    if (ctx.channels) ctx.channels->Reload((*done)->id);
    return JsonResponse(201, render(**done));
  });

  handlers.Add("getChannel", [load, render](ApiCall& call) {
    auto channel = load(call);
    if (auto* answer = std::get_if<HttpResponse>(&channel)) return *answer;
    return JsonResponse(200, render(std::get<store::Channel>(channel)));
  });

  handlers.Add("getChannelStatus", [load, live](ApiCall& call) {
    auto channel = load(call);
    if (auto* answer = std::get_if<HttpResponse>(&channel)) return *answer;
    const store::Channel& c = std::get<store::Channel>(channel);
    return JsonResponse(200, DeliveryStatusJson(c, live(c.id)));
  });

  handlers.Add("updateChannel", [ctx, load, render](ApiCall& call) {
    auto loaded = load(call);
    if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
    const store::Channel before = std::get<store::Channel>(loaded);
    const Json& body = *call.body;
    store::ChannelChange change;
    change.updated_at = ctx.Now();
    if (auto it = body.find("name"); it != body.end()) change.name = it->get<std::string>();
    if (auto it = body.find("enabled"); it != body.end()) change.enabled = it->get<bool>();
    change.secret = BodySecret(body);
    // The settings are checked whole, with the secret they will have: a new
    // secret must fit the stored config and the other way round.
    const bool new_config = body.contains("config");
    const Json config = new_config ? body["config"] : ParsedObject(before.config_json);
    const std::optional<std::string> secret = change.secret ? *change.secret : before.secret;
    if (new_config || change.secret) {
      auto checked = CheckChannelSettings(*ctx.spec, before.type, config, secret);
      if (auto* refused = std::get_if<ChannelSettingsError>(&checked))
        return ApiErrorResponse(api::kErrorValidation, refused->field + ": " + refused->message,
                                refused->field);
      if (new_config) change.config_json = AuditJson(std::get<Json>(checked)).value_or("{}");
    }
    if (auto it = body.find("triggers"); it != body.end()) {
      change.triggers_json =
          AuditJson(ChannelTriggersJson(ParseChannelTriggers(*it))).value_or("{}");
    }
    store::AuditEntry entry = call.audit;
    entry.target_type = "channel";
    entry.target_id = std::to_string(before.id);
    entry.before_json = AuditJson(ChannelSettingsJson(before));
    const bool secret_changed = change.secret.has_value();
    auto done = ctx.store
                    ->Write([&](store::StoreWriter& w) -> Result<store::ChannelUpdate> {
                      ASSIGN_OR_RETURN(store::ChannelUpdate updated,
                                       w.channels().Update(before.id, change));
                      if (!updated.channel) return updated;
                      Json after = ChannelSettingsJson(*updated.channel);
                      if (secret_changed) after["secret_changed"] = true;
                      entry.after_json = AuditJson(after);
                      RETURN_IF_ERROR(w.audit().Append(entry).status());
                      return updated;
                    })
                    .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (done->name_taken) return NameTaken(change.name.value_or(""));
    if (!done->channel) return ChannelNotFound();
    if (ctx.channels) ctx.channels->Reload(before.id);
    return JsonResponse(200, render(*done->channel));
  });

  handlers.Add("deleteChannel", [ctx, load](ApiCall& call) {
    auto loaded = load(call);
    if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
    const store::Channel before = std::get<store::Channel>(loaded);
    store::AuditEntry entry = call.audit;
    entry.target_type = "channel";
    entry.target_id = std::to_string(before.id);
    entry.before_json = AuditJson(ChannelSettingsJson(before));
    auto done = ctx.store
                    ->Write([&](store::StoreWriter& w) -> Result<bool> {
                      ASSIGN_OR_RETURN(bool deleted, w.channels().Delete(before.id));
                      if (!deleted) return false;
                      RETURN_IF_ERROR(w.audit().Append(entry).status());
                      return true;
                    })
                    .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!*done) return ChannelNotFound();
    if (ctx.channels) ctx.channels->Remove(before.id);
    HttpResponse response;
    response.status = 204;
    return response;
  });

  handlers.Add("testChannel", [ctx, load](ApiCall& call) {
    auto loaded = load(call);
    if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
    const store::Channel channel = std::get<store::Channel>(loaded);
    if (ctx.channels == nullptr)
      return ApiErrorResponse(api::kErrorUnavailable, "channel delivery is not running");
    if (std::optional<std::chrono::seconds> wait = ctx.channels->BeginTest(channel.id)) {
      HttpResponse refused = ApiErrorResponse(
          api::kErrorRateLimited, "this channel was tested too often just now; retry later");
      refused.headers.Set("Retry-After", std::to_string(wait->count()));
      return refused;
    }
    ChannelTestOutcome outcome = ctx.channels->Test(channel, kTestTimeLimit);
    ctx.channels->EndTest(channel.id);
    Json result = {
        {"ok", outcome.ok},
        {"status", outcome.http_status ? Json(*outcome.http_status) : Json(nullptr)},
        {"body_excerpt", outcome.body_excerpt ? Json(*outcome.body_excerpt) : Json(nullptr)},
        {"elapsed_ms", outcome.elapsed_ms},
        {"error", outcome.error ? Json(*outcome.error) : Json(nullptr)}};
    store::DeliveryOutcome account;
    account.at = ctx.Now();
    account.ok = outcome.ok;
    account.error = "test: " + outcome.error.value_or("");
    store::AuditEntry entry = call.audit;
    entry.target_type = "channel";
    entry.target_id = std::to_string(channel.id);
    entry.after_json = AuditJson(Json{{"ok", outcome.ok},
                                      {"status", result["status"]},
                                      {"elapsed_ms", outcome.elapsed_ms},
                                      {"error", result["error"]}});
    auto done =
        ctx.store
            ->Write([&](store::StoreWriter& w) -> Status {
              ASSIGN_OR_RETURN(bool recorded, w.channels().RecordDelivery(channel.id, account));
              if (!recorded) return NotFound("no such notification channel");
              return w.audit().Append(entry).status();
            })
            .Wait();
    if (!done.ok()) {
      if (done.status().code() == StatusCode::kNotFound) return ChannelNotFound();
      return StoreErrorResponse(done.status(), call);
    }
    return JsonResponse(200, result);
  });
}

}  // namespace warden::server
