// Recipes on the server: listRecipes, exportRecipes, createRecipe,
// importRecipe (YAML, rules as code), getRecipe, getRecipeYaml,
// updateRecipe, deleteRecipe, cloneRecipe; their attachments
// (listRecipeAttachments, exportRecipeAttachments, attachRecipe,
// getRecipeAttachment, updateRecipeAttachment, deleteRecipeAttachment);
// each host's overrides (getHostRecipeOverride, setHostRecipeOverride) and
// effective settings (getHostEffectiveSettings).
//
// Every set of rules (a recipe's, an attachment's overrides, a host's) is
// checked with the agent's own readers (detectors/recipe_rules.h) before it
// is stored: a rule the agent would refuse is refused here, 422 with the
// JSON pointer of the member at fault. A recipe's revision moves on with
// every change; an update that names the revision it started from (body
// `revision` or If-Match) is refused 409 E_REVISION_CONFLICT when another
// change came first. A recipe that is attached somewhere is not deleted
// (409 E_RECIPE_ATTACHED): detach it first, so no host silently loses it.
// Each change and its audit entry are one Store::Write; once committed the
// agents' configs are recomputed and the parked polls of hosts whose config
// changed are answered (AgentConfigsChanged), so they pull it at once.
//
// Not here: how settings resolve (recipe_resolution.h), the agent's config
// (agent_config_builder.h).
#include <algorithm>
#include <cstdio>
#include <string>

#include "core/risk_level.h"
#include "detectors/detector_registry.h"
#include "detectors/recipe_rules.h"
#include "server/agent_config_builder.h"
#include "server/list_response.h"
#include "server/recipe_resolution.h"
#include "server/rest_handlers.h"

namespace warden::server {
namespace {

constexpr std::string_view kRecipeNotFound = "E_RECIPE_NOT_FOUND";
constexpr std::string_view kAttachmentNotFound = "E_RECIPE_ATTACHMENT_NOT_FOUND";
constexpr std::string_view kRecipeAttached = "E_RECIPE_ATTACHED";
constexpr std::string_view kRevisionConflict = "E_REVISION_CONFLICT";
// The source name rule errors carry (stripped from the message answered).
constexpr std::string_view kRulesSource = "recipe";

const ListBinding& RecipeListBinding() {
  static const ListBinding binding = [] {
    ListBinding b;
    b.sort_fields = {{"name", "name"}, {"created_at", "created_at"}, {"updated_at", "updated_at"}};
    b.filters["q"] = TextSearchFilter({"name"});
    return b;
  }();
  return binding;
}

const ListBinding& AttachmentListBinding() {
  static const ListBinding binding = [] {
    ListBinding b;
    b.sort_fields = {{"created_at", "created_at"}, {"priority", "priority"}};
    // The path's recipe (checked to exist before the list is read).
    b.filters["recipe_id"] =
        [](std::string_view, const Json& value,
           std::vector<store::FieldFilter>* out) -> std::optional<api::ApiError> {
      std::optional<int64_t> id =
          value.is_string() ? ParseId(value.get<std::string>()) : std::nullopt;
      out->push_back({"recipe_id", store::FilterOp::kEq, Value(id.value_or(0))});
      return std::nullopt;
    };
    return b;
  }();
  return binding;
}

Json ParsedObject(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  return j.is_object() ? j : Json::object();
}

Json RecipeJson(const store::Recipe& r) {
  return Json{{"id", std::to_string(r.id)},
              {"name", r.name},
              {"description", r.description},
              {"rules", ParsedObject(r.rules_json)},
              {"revision", r.revision},
              {"attachments", r.attachments},
              {"created_at", TimeJson(r.created_at)},
              {"updated_at", TimeJson(r.updated_at)}};
}

Json AttachmentJson(const store::RecipeAttachment& a) {
  return Json{{"id", std::to_string(a.id)},
              {"recipe_id", std::to_string(a.recipe_id)},
              {"recipe_name", a.recipe_name},
              {"target", RecipeTargetJson(a.target)},
              {"priority", a.priority},
              {"overrides", ParsedObject(a.overrides_json)},
              {"created_at", TimeJson(a.created_at)},
              {"updated_at", TimeJson(a.updated_at)}};
}

Json HostOverrideJson(const store::HostRecipeOverride& o) {
  return Json{{"host_id", std::to_string(o.host_id)},
              {"rules", ParsedObject(o.rules_json)},
              {"updated_at", TimeJson(o.updated_at)}};
}

HttpResponse RecipeNotFound() {
  return ApiErrorResponse(kRecipeNotFound, "no such recipe", "recipe_id");
}
HttpResponse AttachmentNotFound() {
  return ApiErrorResponse(kAttachmentNotFound, "no such recipe attachment", "attachment_id");
}
HttpResponse NameTaken(const std::string& name) {
  return ApiErrorResponse(api::kErrorNameTaken, "a recipe named '" + name + "' exists", "/name");
}

// The answer for rules the agent's readers refuse, naming the member under
// `member` ("/rules", "/overrides").
std::optional<HttpResponse> RefuseRules(const Json& rules, const std::string& member) {
  Status checked = CheckRecipeRulesJson(rules, std::string(kRulesSource));
  if (checked.ok()) return std::nullopt;
  std::string pointer = RecipeErrorPointer(checked.message(), std::string(kRulesSource));
  // The reader names the rules "rules": put them under the body's member.
  if (pointer.rfind("/rules", 0) == 0) pointer = member + pointer.substr(6);
  if (pointer.empty()) pointer = member;
  return ApiErrorResponse(
      api::kErrorValidation,
      pointer + ": " + RecipeErrorReason(checked.message(), std::string(kRulesSource)), pointer);
}

// The revision an update starts from: body `revision`, else If-Match.
std::optional<int64_t> ExpectedRevision(const ApiCall& call) {
  if (call.body && call.body->contains("revision") && (*call.body)["revision"].is_number_integer())
    return (*call.body)["revision"].get<int64_t>();
  std::string tag;
  if (auto it = call.params.find("If-Match"); it != call.params.end() && it->is_string())
    tag = it->get<std::string>();
  else if (call.http)
    tag = std::string(call.http->headers.Get("If-Match").value_or(""));
  if (tag.rfind("W/", 0) == 0) tag = tag.substr(2);
  if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"')
    tag = tag.substr(1, tag.size() - 2);
  if (tag.empty()) return std::nullopt;
  std::optional<int64_t> revision = ParseId(tag);
  return revision ? revision : std::optional<int64_t>(0);  // a tag of no revision never matches
}

// A schedule as the agent's grammar writes it.
Json ScheduleJson(const ScheduleSpec& s) {
  Json j = Json::object();
  if (s.kind == ScheduleSpec::Kind::kDaily) {
    Json times = Json::array();
    for (int m : s.daily_minutes) {
      const int hours = (m / 60) % 24, minutes = m % 60;
      std::string text(5, '0');
      text[0] = static_cast<char>('0' + hours / 10);
      text[1] = static_cast<char>('0' + hours % 10);
      text[2] = ':';
      text[3] = static_cast<char>('0' + minutes / 10);
      text[4] = static_cast<char>('0' + minutes % 10);
      times.push_back(text);
    }
    j["daily"] = std::move(times);
    j["timezone"] = s.utc ? "utc" : "local";
  } else {
    j["interval"] = std::to_string(s.interval_seconds) + "s";
    j["splay_percent"] = s.splay_percent;
  }
  j["run_at_start"] = s.run_at_start;
  return j;
}

// getHostEffectiveSettings' `settings`: every registered rule's enabled,
// risk level and schedule (their built-in defaults when the server sets
// none), then each setting the server sets.
Json EffectiveSettingsJson(const EffectiveRecipe& effective) {
  std::map<std::pair<std::string, std::string>, const ResolvedSetting*> set;
  for (const ResolvedSetting& s : effective.settings) set[{s.rule_id, s.setting}] = &s;
  Json out = Json::array();
  auto entry = [&](const std::string& rule, const std::string& setting, const Json& fallback) {
    auto it = set.find({rule, setting});
    if (it == set.end()) {
      out.push_back(Json{{"rule_id", rule},
                         {"setting", setting},
                         {"value", fallback},
                         {"source", "default"},
                         {"source_kind", "default"}});
      return;
    }
    const ResolvedSetting& s = *it->second;
    out.push_back(Json{{"rule_id", rule},
                       {"setting", setting},
                       {"value", s.value},
                       {"source", s.source},
                       {"source_kind", std::string(SettingSourceKindName(s.source_kind))}});
    set.erase(it);
  };
  for (const Detector* detector : Detectors()) {
    const DetectorConfig d = detector->DefaultConfig();
    entry(d.id, "enabled", d.enabled);
    if (!d.continuous) {
      entry(d.id, "risk_level", std::string(RiskLevelName(d.risk_level)));
      entry(d.id, "schedule", ScheduleJson(d.schedule));
    }
    std::vector<std::string> keys;
    for (const auto& [key, setting] : set)
      if (key.first == d.id) keys.push_back(key.second);
    for (const std::string& key : keys) entry(d.id, key, Json());
  }
  return out;
}

}  // namespace

Json RecipeTargetJson(const store::RecipeTarget& t) {
  Json ids = Json::array();
  for (int64_t id : t.host_ids) ids.push_back(std::to_string(id));
  return Json{{"kind", std::string(store::RecipeTargetKindName(t.kind))},
              {"label", t.kind == store::RecipeTarget::Kind::kLabel ? Json(t.label) : Json()},
              {"host_ids", std::move(ids)}};
}

std::variant<store::RecipeTarget, HttpResponse> ReadRecipeTarget(const HandlerContext& ctx,
                                                                 const ApiCall& call,
                                                                 const Json& target) {
  store::RecipeTarget t;
  const std::string kind = target.value("kind", "all");
  if (kind == "label") {
    t.kind = store::RecipeTarget::Kind::kLabel;
    const Json label = target.value("label", Json());
    if (!label.is_string() || label.get<std::string>().empty())
      return ApiErrorResponse(api::kErrorValidation,
                              "target.label: a label target names its label (env=prod)",
                              "/target/label");
    t.label = label.get<std::string>();
  } else if (kind == "hosts") {
    t.kind = store::RecipeTarget::Kind::kHosts;
    const Json ids = target.value("host_ids", Json::array());
    if (!ids.is_array() || ids.empty())
      return ApiErrorResponse(api::kErrorValidation,
                              "target.host_ids: a hosts target names at least one host",
                              "/target/host_ids");
    for (size_t i = 0; i < ids.size(); ++i) {
      const std::string field = "/target/host_ids/" + std::to_string(i);
      std::optional<int64_t> id =
          ids[i].is_string() ? ParseId(ids[i].get<std::string>()) : std::nullopt;
      if (!id) return ApiErrorResponse(api::kErrorValidation, field + ": no such host", field);
      auto host = ctx.store->hosts().Get(*id);
      if (!host.ok()) return StoreErrorResponse(host.status(), call);
      if (!host->has_value())
        return ApiErrorResponse(api::kErrorValidation, field + ": no such host", field);
      t.host_ids.push_back(*id);
    }
  } else {
    if (target.contains("label") && !target["label"].is_null())
      return ApiErrorResponse(api::kErrorValidation, "target.label: only a label target has one",
                              "/target/label");
    if (!target.value("host_ids", Json::array()).empty())
      return ApiErrorResponse(api::kErrorValidation,
                              "target.host_ids: only a hosts target has them", "/target/host_ids");
  }
  return t;
}

void RegisterRecipesHandlers(ApiHandlers& handlers, const HandlerContext& ctx) {
  auto load = [ctx](const ApiCall& call) -> std::variant<store::Recipe, HttpResponse> {
    std::optional<int64_t> id = IdParam(call, "recipe_id");
    if (!id) return RecipeNotFound();
    auto recipe = ctx.store->recipes().Get(*id);
    if (!recipe.ok()) return StoreErrorResponse(recipe.status(), call);
    if (!recipe->has_value()) return RecipeNotFound();
    return **recipe;
  };
  auto load_attachment =
      [ctx](const ApiCall& call) -> std::variant<store::RecipeAttachment, HttpResponse> {
    std::optional<int64_t> id = IdParam(call, "attachment_id");
    if (!id) return AttachmentNotFound();
    auto attachment = ctx.store->recipes().GetAttachment(*id);
    if (!attachment.ok()) return StoreErrorResponse(attachment.status(), call);
    if (!attachment->has_value()) return AttachmentNotFound();
    return **attachment;
  };
  // Creates a recipe with its audit entry: 201, or 409 when the name is taken.
  auto create = [ctx](ApiCall& call, store::NewRecipe recipe) {
    recipe.created_at = ctx.Now();
    store::AuditEntry entry = call.audit;
    entry.target_type = "recipe";
    auto done =
        ctx.store
            ->Write([&](store::StoreWriter& w) -> Result<std::optional<store::Recipe>> {
              ASSIGN_OR_RETURN(std::optional<store::Recipe> created, w.recipes().Create(recipe));
              if (!created) return created;
              entry.target_id = std::to_string(created->id);
              entry.after_json = AuditJson(RecipeJson(*created));
              RETURN_IF_ERROR(w.audit().Append(entry).status());
              return created;
            })
            .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!done->has_value()) return NameTaken(recipe.name);
    return JsonResponse(201, RecipeJson(**done));
  };

  handlers.Add("listRecipes", [ctx](ApiCall& call) {
    auto query = BuildListQuery(call, RecipeListBinding());
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = ctx.store->recipes().List(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    return JsonResponse(200, PageJson(*page, [](const store::Recipe& r) { return RecipeJson(r); }));
  });

  handlers.AddAsync("exportRecipes", [ctx](ApiCall& call, HttpResponder responder) {
    auto query = BuildListQuery(call, RecipeListBinding());
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    StreamExport<store::Recipe>(
        call, std::move(responder), "recipes",
        {"id", "name", "description", "rules", "revision", "attachments", "created_at",
         "updated_at"},
        std::get<store::ListQuery>(query),
        [&](const store::ListQuery& q, const store::RowCallback<store::Recipe>& row) {
          return ctx.store->recipes().Export(q, row);
        },
        [](const store::Recipe& r) { return RecipeJson(r); });
  });

  handlers.Add("createRecipe", [create](ApiCall& call) {
    const Json& body = *call.body;
    store::NewRecipe recipe;
    recipe.name = body.value("name", "");
    recipe.description = body.value("description", "");
    const Json rules = body.value("rules", Json::object());
    if (auto refused = RefuseRules(rules, "/rules")) return *refused;
    recipe.rules_json = rules.dump();
    return create(call, std::move(recipe));
  });

  handlers.Add("cloneRecipe", [load, create](ApiCall& call) {
    auto loaded = load(call);
    if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
    const store::Recipe& from = std::get<store::Recipe>(loaded);
    store::NewRecipe recipe;
    recipe.name = call.body->value("name", "");
    recipe.description = call.body->value("description", from.description);
    recipe.rules_json = from.rules_json;
    return create(call, std::move(recipe));
  });

  handlers.Add("getRecipe", [load](ApiCall& call) {
    auto loaded = load(call);
    if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
    const store::Recipe& recipe = std::get<store::Recipe>(loaded);
    HttpResponse r = JsonResponse(200, RecipeJson(recipe));
    r.headers.Set("ETag", "\"" + std::to_string(recipe.revision) + "\"");
    return r;
  });

  handlers.Add("getRecipeYaml", [load](ApiCall& call) {
    auto loaded = load(call);
    if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
    const store::Recipe& recipe = std::get<store::Recipe>(loaded);
    Json document = {{"name", recipe.name}};
    if (!recipe.description.empty()) document["description"] = recipe.description;
    document["rules"] = ParsedObject(recipe.rules_json);
    HttpResponse r;
    r.status = 200;
    r.headers.Set("Content-Type", "application/yaml");
    r.headers.Set("ETag", "\"" + std::to_string(recipe.revision) + "\"");
    r.body = "# warden recipe " + recipe.name + ", revision " + std::to_string(recipe.revision) +
             "\n" + JsonToYamlText(document);
    return r;
  });

  handlers.Add("updateRecipe", [ctx, load](ApiCall& call) {
    auto loaded = load(call);
    if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
    const store::Recipe before = std::get<store::Recipe>(loaded);
    const Json& body = *call.body;
    store::RecipeChange change;
    change.updated_at = ctx.Now();
    change.expected_revision = ExpectedRevision(call);
    if (auto it = body.find("name"); it != body.end()) change.name = it->get<std::string>();
    if (auto it = body.find("description"); it != body.end())
      change.description = it->get<std::string>();
    if (auto it = body.find("rules"); it != body.end()) {
      if (auto refused = RefuseRules(*it, "/rules")) return *refused;
      change.rules_json = it->dump();
    }
    store::AuditEntry entry = call.audit;
    entry.target_type = "recipe";
    entry.target_id = std::to_string(before.id);
    entry.before_json = AuditJson(RecipeJson(before));
    auto done =
        ctx.store
            ->Write([&](store::StoreWriter& w) -> Result<store::RecipeUpdate> {
              ASSIGN_OR_RETURN(store::RecipeUpdate updated, w.recipes().Update(before.id, change));
              if (!updated.recipe) return updated;
              entry.after_json = AuditJson(RecipeJson(*updated.recipe));
              RETURN_IF_ERROR(w.audit().Append(entry).status());
              return updated;
            })
            .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (done->revision_conflict)
      return ApiErrorResponse(kRevisionConflict,
                              "the recipe changed since revision " +
                                  std::to_string(change.expected_revision.value_or(0)) +
                                  "; read it again and redo the change",
                              "revision");
    if (done->name_taken) return NameTaken(change.name.value_or(""));
    if (!done->recipe) return RecipeNotFound();
    AgentConfigsChanged(ctx);
    return JsonResponse(200, RecipeJson(*done->recipe));
  });

  handlers.Add("importRecipe", [ctx](ApiCall& call) {
    const std::string source = "recipe.yaml";
    const std::string text = call.http ? call.http->body : "";
    auto refused = [&](const Status& st) {
      std::string pointer = RecipeErrorPointer(st.message(), source);
      return ApiErrorResponse(api::kErrorValidation, st.message(),
                              pointer.empty() ? "body" : pointer);
    };
    Result<RecipeDocument> parsed = ParseRecipeDocument(text, source);
    if (!parsed.ok()) return refused(parsed.status());
    store::NewRecipe recipe;
    recipe.name = parsed->name;
    recipe.description = parsed->description;
    const Json rules = parsed->rules;
    recipe.rules_json = rules.dump();
    recipe.created_at = ctx.Now();
    store::AuditEntry entry = call.audit;
    entry.target_type = "recipe";
    struct Outcome {
      std::optional<store::Recipe> recipe;
      bool created = false;
    };
    auto done = ctx.store
                    ->Write([&](store::StoreWriter& w) -> Result<Outcome> {
                      Outcome out;
                      ASSIGN_OR_RETURN(std::optional<store::Recipe> existing,
                                       w.recipes().FindByName(recipe.name));
                      if (existing) {
                        store::RecipeChange change;
                        change.description = recipe.description;
                        change.rules_json = recipe.rules_json;
                        change.updated_at = recipe.created_at;
                        ASSIGN_OR_RETURN(store::RecipeUpdate updated,
                                         w.recipes().Update(existing->id, change));
                        out.recipe = updated.recipe;
                        entry.before_json = AuditJson(RecipeJson(*existing));
                      } else {
                        ASSIGN_OR_RETURN(out.recipe, w.recipes().Create(recipe));
                        out.created = true;
                      }
                      if (!out.recipe)
                        return Internal("recipe '" + recipe.name + "' was not stored");
                      entry.target_id = std::to_string(out.recipe->id);
                      entry.after_json = AuditJson(RecipeJson(*out.recipe));
                      RETURN_IF_ERROR(w.audit().Append(entry).status());
                      return out;
                    })
                    .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!done->created) AgentConfigsChanged(ctx);
    return JsonResponse(done->created ? 201 : 200, RecipeJson(*done->recipe));
  });

  handlers.Add("deleteRecipe", [ctx, load](ApiCall& call) {
    auto loaded = load(call);
    if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
    const store::Recipe before = std::get<store::Recipe>(loaded);
    store::AuditEntry entry = call.audit;
    entry.target_type = "recipe";
    entry.target_id = std::to_string(before.id);
    entry.before_json = AuditJson(RecipeJson(before));
    auto done =
        ctx.store
            ->Write([&](store::StoreWriter& w) -> Result<store::RecipeDeletion> {
              ASSIGN_OR_RETURN(store::RecipeDeletion deleted, w.recipes().Delete(before.id));
              if (deleted != store::RecipeDeletion::kDeleted) return deleted;
              RETURN_IF_ERROR(w.audit().Append(entry).status());
              return deleted;
            })
            .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (*done == store::RecipeDeletion::kNotFound) return RecipeNotFound();
    if (*done == store::RecipeDeletion::kAttached)
      return ApiErrorResponse(
          kRecipeAttached,
          "recipe '" + before.name + "' is attached to targets; delete its attachments first");
    HttpResponse response;
    response.status = 204;
    return response;
  });

  // ---- attachments

  auto attachment_query = [load](ApiCall& call) -> std::variant<store::ListQuery, HttpResponse> {
    auto loaded = load(call);
    if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
    auto query = BuildListQuery(call, AttachmentListBinding());
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    return std::get<store::ListQuery>(query);
  };

  handlers.Add("listRecipeAttachments", [ctx, attachment_query](ApiCall& call) {
    auto query = attachment_query(call);
    if (auto* answer = std::get_if<HttpResponse>(&query)) return *answer;
    auto page = ctx.store->recipes().ListAttachments(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    return JsonResponse(
        200, PageJson(*page, [](const store::RecipeAttachment& a) { return AttachmentJson(a); }));
  });

  handlers.AddAsync(
      "exportRecipeAttachments", [ctx, attachment_query](ApiCall& call, HttpResponder responder) {
        auto query = attachment_query(call);
        if (auto* answer = std::get_if<HttpResponse>(&query)) {
          responder.Send(*answer);
          return;
        }
        StreamExport<store::RecipeAttachment>(
            call, std::move(responder), "recipe-attachments",
            {"id", "recipe_id", "recipe_name", "target", "priority", "overrides", "created_at",
             "updated_at"},
            std::get<store::ListQuery>(query),
            [&](const store::ListQuery& q, const store::RowCallback<store::RecipeAttachment>& row) {
              return ctx.store->recipes().ExportAttachments(q, row);
            },
            AttachmentJson);
      });

  handlers.Add("attachRecipe", [ctx, load](ApiCall& call) {
    auto loaded = load(call);
    if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
    const store::Recipe& recipe = std::get<store::Recipe>(loaded);
    const Json& body = *call.body;
    auto target = ReadRecipeTarget(ctx, call, body.value("target", Json::object()));
    if (auto* answer = std::get_if<HttpResponse>(&target)) return *answer;
    const Json overrides = body.value("overrides", Json::object());
    if (auto refused = RefuseRules(overrides, "/overrides")) return *refused;
    store::NewRecipeAttachment attachment;
    attachment.recipe_id = recipe.id;
    attachment.target = std::get<store::RecipeTarget>(target);
    attachment.priority = body.value("priority", int64_t{0});
    attachment.overrides_json = overrides.dump();
    attachment.created_at = ctx.Now();
    store::AuditEntry entry = call.audit;
    entry.target_type = "recipe_attachment";
    auto done =
        ctx.store
            ->Write([&](store::StoreWriter& w) -> Result<std::optional<store::RecipeAttachment>> {
              ASSIGN_OR_RETURN(std::optional<store::RecipeAttachment> created,
                               w.recipes().CreateAttachment(attachment));
              if (!created) return created;
              entry.target_id = std::to_string(created->id);
              entry.after_json = AuditJson(AttachmentJson(*created));
              RETURN_IF_ERROR(w.audit().Append(entry).status());
              return created;
            })
            .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!done->has_value()) return RecipeNotFound();
    AgentConfigsChanged(ctx);
    return JsonResponse(201, AttachmentJson(**done));
  });

  handlers.Add("getRecipeAttachment", [load_attachment](ApiCall& call) {
    auto loaded = load_attachment(call);
    if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
    return JsonResponse(200, AttachmentJson(std::get<store::RecipeAttachment>(loaded)));
  });

  handlers.Add("updateRecipeAttachment", [ctx, load_attachment](ApiCall& call) {
    auto loaded = load_attachment(call);
    if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
    const store::RecipeAttachment before = std::get<store::RecipeAttachment>(loaded);
    const Json& body = *call.body;
    store::RecipeAttachmentChange change;
    change.updated_at = ctx.Now();
    if (auto it = body.find("target"); it != body.end()) {
      auto target = ReadRecipeTarget(ctx, call, *it);
      if (auto* answer = std::get_if<HttpResponse>(&target)) return *answer;
      change.target = std::get<store::RecipeTarget>(target);
    }
    if (auto it = body.find("priority"); it != body.end()) change.priority = it->get<int64_t>();
    if (auto it = body.find("overrides"); it != body.end()) {
      if (auto refused = RefuseRules(*it, "/overrides")) return *refused;
      change.overrides_json = it->dump();
    }
    store::AuditEntry entry = call.audit;
    entry.target_type = "recipe_attachment";
    entry.target_id = std::to_string(before.id);
    entry.before_json = AuditJson(AttachmentJson(before));
    auto done =
        ctx.store
            ->Write([&](store::StoreWriter& w) -> Result<std::optional<store::RecipeAttachment>> {
              ASSIGN_OR_RETURN(std::optional<store::RecipeAttachment> updated,
                               w.recipes().UpdateAttachment(before.id, change));
              if (!updated) return updated;
              entry.after_json = AuditJson(AttachmentJson(*updated));
              RETURN_IF_ERROR(w.audit().Append(entry).status());
              return updated;
            })
            .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!done->has_value()) return AttachmentNotFound();
    AgentConfigsChanged(ctx);
    return JsonResponse(200, AttachmentJson(**done));
  });

  handlers.Add("deleteRecipeAttachment", [ctx, load_attachment](ApiCall& call) {
    auto loaded = load_attachment(call);
    if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
    const store::RecipeAttachment before = std::get<store::RecipeAttachment>(loaded);
    store::AuditEntry entry = call.audit;
    entry.target_type = "recipe_attachment";
    entry.target_id = std::to_string(before.id);
    entry.before_json = AuditJson(AttachmentJson(before));
    auto done = ctx.store
                    ->Write([&](store::StoreWriter& w) -> Result<bool> {
                      ASSIGN_OR_RETURN(bool deleted, w.recipes().DeleteAttachment(before.id));
                      if (!deleted) return false;
                      RETURN_IF_ERROR(w.audit().Append(entry).status());
                      return true;
                    })
                    .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!*done) return AttachmentNotFound();
    AgentConfigsChanged(ctx);
    HttpResponse response;
    response.status = 204;
    return response;
  });

  // ---- hosts

  handlers.Add("getHostRecipeOverride", [ctx](ApiCall& call) {
    if (auto refused = CheckHostExists(ctx, call)) return *refused;
    auto found = ctx.store->recipes().HostOverride(*IdParam(call, "host_id"));
    if (!found.ok()) return StoreErrorResponse(found.status(), call);
    return JsonResponse(200, HostOverrideJson(*found));
  });

  handlers.Add("setHostRecipeOverride", [ctx](ApiCall& call) {
    if (auto refused = CheckHostExists(ctx, call)) return *refused;
    const int64_t host_id = *IdParam(call, "host_id");
    const Json rules = call.body->value("rules", Json::object());
    if (auto refused = RefuseRules(rules, "/rules")) return *refused;
    auto before = ctx.store->recipes().HostOverride(host_id);
    if (!before.ok()) return StoreErrorResponse(before.status(), call);
    store::AuditEntry entry = call.audit;
    entry.target_type = "host";
    entry.target_id = std::to_string(host_id);
    entry.before_json = AuditJson(HostOverrideJson(*before));
    const store::EpochMs now = ctx.Now();
    auto done = ctx.store
                    ->Write([&](store::StoreWriter& w) -> Result<store::HostRecipeOverride> {
                      ASSIGN_OR_RETURN(store::HostRecipeOverride set,
                                       w.recipes().SetHostOverride(host_id, rules.dump(), now));
                      entry.after_json = AuditJson(HostOverrideJson(set));
                      RETURN_IF_ERROR(w.audit().Append(entry).status());
                      return set;
                    })
                    .Wait();
    if (!done.ok()) {
      if (done.status().code() == StatusCode::kNotFound)
        return ApiErrorResponse(api::kErrorHostNotFound, "no such host", "host_id");
      return StoreErrorResponse(done.status(), call);
    }
    AgentConfigsChanged(ctx);
    return JsonResponse(200, HostOverrideJson(*done));
  });

  handlers.Add("getHostEffectiveSettings", [ctx](ApiCall& call) {
    std::optional<int64_t> id = IdParam(call, "host_id");
    if (!id) return ApiErrorResponse(api::kErrorHostNotFound, "no such host", "host_id");
    auto host = ctx.store->hosts().Get(*id);
    if (!host.ok()) return StoreErrorResponse(host.status(), call);
    if (!host->has_value())
      return ApiErrorResponse(api::kErrorHostNotFound, "no such host", "host_id");
    Result<EffectiveRecipe> effective = ResolveHostRecipe(*ctx.store, **host);
    if (!effective.ok()) return StoreErrorResponse(effective.status(), call);
    std::optional<std::string> etag;
    if (ctx.agent_configs) {
      etag = ctx.agent_configs->EtagFor(*id);
    } else {
      AgentConfigBuilder configs(*ctx.store, AgentConfigSettings{});
      etag = configs.EtagFor(*id);
    }
    Json recipe = Json();
    if (effective->recipe)
      recipe = Json{{"id", std::to_string(effective->recipe->id)},
                    {"name", effective->recipe->name},
                    {"revision", effective->recipe->revision}};
    Json attachment = Json();
    if (effective->attachment)
      attachment = Json{{"id", std::to_string(effective->attachment->id)},
                        {"target", RecipeTargetJson(effective->attachment->target)},
                        {"priority", effective->attachment->priority}};
    return JsonResponse(200, Json{{"host_id", std::to_string(*id)},
                                  {"recipe", std::move(recipe)},
                                  {"attachment", std::move(attachment)},
                                  {"config_etag", etag.value_or("")},
                                  {"settings", EffectiveSettingsJson(*effective)}});
  });
}

}  // namespace warden::server
