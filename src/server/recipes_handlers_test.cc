// Recipes on a real server: every answer checked against the contract.
// Rules are refused with the member at fault as the agent would refuse
// them; revisions refuse lost updates; YAML goes out and comes back; a
// recipe attached somewhere is not deleted; and each host's effective
// settings name where each value comes from, agree with the config its
// agent pulls, and reach a parked command poll at once when they change.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "server/server_test_support.h"

namespace warden::server::testing {
namespace {

const std::string kPassword = "correct horse battery";

Json Body(const ClientResponse& r) { return Json::parse(r.body, nullptr, false); }

class RecipesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok());
    server_.AddUser("alice", auth::Role::kAdmin, kPassword);
    admin_ = server_.Login("alice", kPassword);
    ASSERT_FALSE(admin_.session_id.empty());
  }

  ClientResponse Checked(const std::string& operation_id, const std::string& method,
                         const std::string& target, const std::string& body = "",
                         const std::string& content_type = "application/json") {
    return CheckedCall(server_, operation_id, method, target, admin_, body, content_type);
  }

  std::string CreateRecipe(const std::string& name, Json rules) {
    ClientResponse r = Checked("createRecipe", "POST", "/api/v1/recipes",
                               Json{{"name", name}, {"rules", std::move(rules)}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Body(r).value("id", "");
  }

  std::string Attach(const std::string& recipe_id, Json target, Json overrides = Json::object(),
                     int priority = 0) {
    ClientResponse r =
        Checked("attachRecipe", "POST", "/api/v1/recipes/" + recipe_id + "/attachments",
                Json{{"target", std::move(target)},
                     {"overrides", std::move(overrides)},
                     {"priority", priority}}
                    .dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Body(r).value("id", "");
  }

  void Label(int64_t host_id, const std::string& label) {
    ClientResponse r =
        Checked("updateHostLabels", "PATCH", "/api/v1/hosts/" + std::to_string(host_id) + "/labels",
                Json{{"add", {label}}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
  }

  Json Effective(int64_t host_id) {
    ClientResponse r = Checked("getHostEffectiveSettings", "GET",
                               "/api/v1/hosts/" + std::to_string(host_id) + "/effective-settings");
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r);
  }

  // The entry of one rule's setting in an effective-settings answer.
  static Json Setting(const Json& effective, const std::string& rule, const std::string& setting) {
    for (const Json& s : effective["settings"])
      if (s["rule_id"] == rule && s["setting"] == setting) return s;
    return Json();
  }

  TestServer server_;
  Credentials admin_;
};

TEST_F(RecipesTest, CreateGetAndUpdateRefuseALostUpdate) {
  const std::string id =
      CreateRecipe("prod", {{"HOST-OPEN-PORTS", {{"settings", {{"allowed_tcp", {22}}}}}}});
  ClientResponse got = Checked("getRecipe", "GET", "/api/v1/recipes/" + id);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.headers.Get("ETag").value_or(""), "\"1\"");
  EXPECT_EQ(Body(got)["rules"]["HOST-OPEN-PORTS"]["settings"]["allowed_tcp"][0], 22);

  ClientResponse first = Checked("updateRecipe", "PATCH", "/api/v1/recipes/" + id,
                                 Json{{"revision", 1}, {"description", "web servers"}}.dump());
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(Body(first)["revision"], 2);
  // Another editor that read revision 1 loses, by body or by If-Match.
  ClientResponse stale = Checked("updateRecipe", "PATCH", "/api/v1/recipes/" + id,
                                 Json{{"revision", 1}, {"description", "lost"}}.dump());
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(Body(stale)["error"]["code"], "E_REVISION_CONFLICT");
  EXPECT_EQ(Body(Checked("getRecipe", "GET", "/api/v1/recipes/" + id))["description"],
            "web servers");
  ClientResponse renamed =
      Checked("updateRecipe", "PATCH", "/api/v1/recipes/" + id, Json{{"name", "prod-web"}}.dump());
  EXPECT_EQ(renamed.status, 200);
  EXPECT_EQ(Body(renamed)["revision"], 3);
  EXPECT_EQ(Checked("getRecipe", "GET", "/api/v1/recipes/999").status, 404);
}

TEST_F(RecipesTest, InvalidRulesAreRefusedNamingTheMemberAtFault) {
  struct Case {
    Json rules;
    std::string field;
  };
  const std::vector<Case> cases = {
      {{{"HOST-VULN", {{"settings", {{"min_severity", "dreadful"}}}}}},
       "/rules/HOST-VULN/settings/min_severity"},
      {{{"HOST-OPEN-PORTS", {{"settings", {{"loopback", "sometimes"}}}}}},
       "/rules/HOST-OPEN-PORTS/settings/loopback"},
      {{{"HOST-OPEN-PORTS", {{"schedule", "soon"}}}}, "/rules/HOST-OPEN-PORTS/schedule"},
      {{{"HOST-RUNTIME", {{"schedule", "5m"}}}}, "/rules/HOST-RUNTIME/schedule"},
      {{{"HOST-RUNTIME", {{"settings", {{"syscall_events", "all"}}}}}},
       "/rules/HOST-RUNTIME/settings/syscall_events"},
      {{{"HOST-NOPE", {{"enabled", true}}}}, "/rules/HOST-NOPE"},
  };
  for (const Case& c : cases) {
    ClientResponse r = Checked("createRecipe", "POST", "/api/v1/recipes",
                               Json{{"name", "bad"}, {"rules", c.rules}}.dump());
    EXPECT_EQ(r.status, 422) << c.rules.dump();
    EXPECT_EQ(Body(r)["error"]["field"], c.field) << r.body;
  }
  // Overrides go through the same readers, named under their own member.
  const std::string id = CreateRecipe("ok", Json::object());
  ClientResponse r =
      Checked("attachRecipe", "POST", "/api/v1/recipes/" + id + "/attachments",
              Json{{"target", {{"kind", "all"}}},
                   {"overrides", {{"HOST-VULN", {{"settings", {{"include_unfixed", "maybe"}}}}}}}}
                  .dump());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["error"]["field"], "/overrides/HOST-VULN/settings/include_unfixed");
  ClientResponse no_hosts =
      Checked("attachRecipe", "POST", "/api/v1/recipes/" + id + "/attachments",
              Json{{"target", {{"kind", "hosts"}, {"host_ids", {"4242"}}}}}.dump());
  EXPECT_EQ(no_hosts.status, 422);
  EXPECT_EQ(Body(no_hosts)["error"]["field"], "/target/host_ids/0");
}

TEST_F(RecipesTest, YamlGoesOutAndComesBackAndImportReplacesByName) {
  const std::string yaml =
      "recipe:\n"
      "  name: prod\n"
      "  description: from CI\n"
      "  rules:\n"
      "    HOST-OPEN-PORTS:\n"
      "      schedule: 5m\n"
      "      settings:\n"
      "        allowed_tcp: [22, \"8000-8100\"]\n"
      "        loopback: ignore\n"
      "    HOST-VULN:\n"
      "      risk_level: high\n"
      "      settings: {min_severity: high, include_unfixed: false}\n";
  ClientResponse created =
      Checked("importRecipe", "PUT", "/api/v1/recipes/import", yaml, "application/yaml");
  ASSERT_EQ(created.status, 201) << created.body;
  const Json recipe = Body(created);
  EXPECT_EQ(recipe["description"], "from CI");
  EXPECT_EQ(recipe["rules"]["HOST-OPEN-PORTS"]["settings"]["allowed_tcp"][1], "8000-8100");
  EXPECT_EQ(recipe["rules"]["HOST-VULN"]["settings"]["include_unfixed"], false);

  ClientResponse out = Checked("getRecipeYaml", "GET",
                               "/api/v1/recipes/" + recipe["id"].get<std::string>() + "/yaml");
  ASSERT_EQ(out.status, 200);
  EXPECT_NE(out.body.find("HOST-OPEN-PORTS"), std::string::npos) << out.body;
  // What went out comes back the same: replaced, revision 2, same rules.
  ClientResponse back =
      Checked("importRecipe", "PUT", "/api/v1/recipes/import", out.body, "application/yaml");
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(Body(back)["revision"], 2);
  EXPECT_EQ(Body(back)["rules"], recipe["rules"]);
  EXPECT_EQ(Body(back)["id"], recipe["id"]);

  ClientResponse bad = Checked("importRecipe", "PUT", "/api/v1/recipes/import",
                               "name: prod\nrules:\n  HOST-VULN:\n    settings:\n"
                               "      min_severity: dreadful\n",
                               "application/yaml");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(Body(bad)["error"]["field"], "/rules/HOST-VULN/settings/min_severity");
  EXPECT_NE(Body(bad)["error"]["message"].get<std::string>().find("recipe.yaml:5:"),
            std::string::npos)
      << bad.body;
  EXPECT_EQ(
      Checked("importRecipe", "PUT", "/api/v1/recipes/import", "rules: {}\n", "application/yaml")
          .status,
      422);
  // A key given twice would be checked once and stored the other way.
  ClientResponse twice = Checked("importRecipe", "PUT", "/api/v1/recipes/import",
                                 "name: prod\nrules:\n  HOST-OPEN-PORTS:\n"
                                 "    settings: {loopback: ignore}\n"
                                 "    settings: {loopback: sometimes}\n",
                                 "application/yaml");
  EXPECT_EQ(twice.status, 422);
  EXPECT_EQ(Body(twice)["error"]["field"], "/rules/HOST-OPEN-PORTS/settings") << twice.body;
  ClientResponse binary = Checked("importRecipe", "PUT", "/api/v1/recipes/import",
                                  "name: \xff\xfe\nrules: {}\n", "application/yaml");
  EXPECT_EQ(binary.status, 422) << binary.body;
}

TEST_F(RecipesTest, CloneListExportAndDeleteOnlyWhenDetached) {
  const std::string id = CreateRecipe("base", {{"HOST-VULN", {{"enabled", false}}}});
  ClientResponse copy = Checked("cloneRecipe", "POST", "/api/v1/recipes/" + id + "/clone",
                                Json{{"name", "base-copy"}}.dump());
  ASSERT_EQ(copy.status, 201) << copy.body;
  EXPECT_EQ(Body(copy)["rules"]["HOST-VULN"]["enabled"], false);
  EXPECT_EQ(Checked("cloneRecipe", "POST", "/api/v1/recipes/" + id + "/clone",
                    Json{{"name", "base"}}.dump())
                .status,
            409);
  ClientResponse list = Checked("listRecipes", "GET", "/api/v1/recipes?sort=-name&limit=1");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(Body(list)["total"], 2);
  EXPECT_EQ(Body(list)["items"][0]["name"], "base-copy");
  ClientResponse exported = Checked("exportRecipes", "GET", "/api/v1/recipes/export?format=jsonl");
  EXPECT_EQ(exported.status, 200);
  EXPECT_NE(exported.body.find("\"base-copy\""), std::string::npos);

  const std::string attachment = Attach(id, {{"kind", "label"}, {"label", "env=prod"}});
  ClientResponse refused = Checked("deleteRecipe", "DELETE", "/api/v1/recipes/" + id);
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(Body(refused)["error"]["code"], "E_RECIPE_ATTACHED");
  ClientResponse attachments =
      Checked("listRecipeAttachments", "GET", "/api/v1/recipes/" + id + "/attachments");
  ASSERT_EQ(attachments.status, 200) << attachments.body;
  EXPECT_EQ(Body(attachments)["total"], 1);
  EXPECT_EQ(Body(attachments)["items"][0]["target"]["label"], "env=prod");
  EXPECT_EQ(Checked("exportRecipeAttachments", "GET",
                    "/api/v1/recipes/" + id + "/attachments/export?format=csv")
                .status,
            200);
  ClientResponse changed =
      Checked("updateRecipeAttachment", "PATCH", "/api/v1/recipe-attachments/" + attachment,
              Json{{"priority", 7}}.dump());
  EXPECT_EQ(Body(changed)["priority"], 7);
  EXPECT_EQ(
      Checked("getRecipeAttachment", "GET", "/api/v1/recipe-attachments/" + attachment).status,
      200);
  EXPECT_EQ(Checked("deleteRecipeAttachment", "DELETE", "/api/v1/recipe-attachments/" + attachment)
                .status,
            204);
  EXPECT_EQ(Checked("deleteRecipe", "DELETE", "/api/v1/recipes/" + id).status, 204);
  EXPECT_EQ(Checked("getRecipe", "GET", "/api/v1/recipes/" + id).status, 404);
}

TEST_F(RecipesTest, EffectiveSettingsNameTheirSourceAndMatchTheAgentsConfig) {
  Credentials node = server_.AddNodeKey("web-1");
  const int64_t host = server_.last_host_id();
  Label(host, "env=prod");
  const std::string fleet =
      CreateRecipe("fleet", {{"HOST-OPEN-PORTS", {{"settings", {{"allowed_tcp", {22}}}}}},
                             {"HOST-VULN", {{"settings", {{"min_severity", "medium"}}}}}});
  const std::string prod = CreateRecipe(
      "prod",
      {{"HOST-OPEN-PORTS", {{"settings", {{"allowed_tcp", {22, 443}}, {"loopback", "report"}}}}}});
  Attach(fleet, {{"kind", "all"}}, Json::object(), 100);  // less specific: loses despite priority
  const std::string by_label =
      Attach(prod, {{"kind", "label"}, {"label", "env=prod"}},
             {{"HOST-OPEN-PORTS", {{"settings", {{"loopback", "ignore"}}}}}});
  ClientResponse set = Checked("setHostRecipeOverride", "PUT",
                               "/api/v1/hosts/" + std::to_string(host) + "/recipe-override",
                               Json{{"rules", {{"HOST-VULN", {{"enabled", false}}}}}}.dump());
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(Checked("getHostRecipeOverride", "GET",
                    "/api/v1/hosts/" + std::to_string(host) + "/recipe-override")
                .status,
            200);

  const Json e = Effective(host);
  EXPECT_EQ(e["recipe"]["name"], "prod");
  EXPECT_EQ(e["attachment"]["id"], by_label);
  const Json allowed = Setting(e, "HOST-OPEN-PORTS", "settings.allowed_tcp");
  EXPECT_EQ(allowed["value"], Json({22, 443}));
  EXPECT_EQ(allowed["source"], "recipe:prod");
  const Json loopback = Setting(e, "HOST-OPEN-PORTS", "settings.loopback");
  EXPECT_EQ(loopback["value"], "ignore");
  EXPECT_EQ(loopback["source_kind"], "attachment");
  EXPECT_EQ(loopback["source"], "attachment:" + by_label + " (label env=prod)");
  const Json enabled = Setting(e, "HOST-VULN", "enabled");
  EXPECT_EQ(enabled["value"], false);
  EXPECT_EQ(enabled["source"], "host override");
  const Json risk = Setting(e, "HOST-OPEN-PORTS", "risk_level");
  EXPECT_EQ(risk["source"], "default");
  EXPECT_TRUE(Setting(e, "HOST-VULN", "settings.min_severity").is_null())
      << "the winning attachment's recipe alone applies";

  // The agent gets exactly that, under the same etag.
  ClientResponse config = server_.Call("GET", "/api/v1/agent/config", node);
  ASSERT_EQ(config.status, 200) << config.body;
  EXPECT_TRUE(ValidateAgainstSpec("getAgentConfig", config).ok());
  const Json c = Body(config);
  EXPECT_EQ(c["etag"], e["config_etag"]);
  EXPECT_EQ(c["recipe"]["name"], "prod");
  EXPECT_EQ(c["recipe"]["rules"]["HOST-OPEN-PORTS"]["settings"],
            Json({{"allowed_tcp", {22, 443}}, {"loopback", "ignore"}}));
  EXPECT_EQ(c["recipe"]["rules"]["HOST-VULN"], Json({{"enabled", false}}));

  // Removing the label moves the host to the all-hosts attachment.
  ClientResponse unlabel =
      Checked("updateHostLabels", "PATCH", "/api/v1/hosts/" + std::to_string(host) + "/labels",
              Json{{"remove", {"env=prod"}}}.dump());
  ASSERT_EQ(unlabel.status, 200);
  const Json after = Effective(host);
  EXPECT_EQ(after["recipe"]["name"], "fleet");
  EXPECT_NE(after["config_etag"], e["config_etag"]);
  EXPECT_EQ(Setting(after, "HOST-VULN", "settings.min_severity")["source"], "recipe:fleet");
}

TEST_F(RecipesTest, AChangeAnswersTheHostsParkedPollWithItsNewConfigEtag) {
  Credentials node = server_.AddNodeKey("web-1");
  const int64_t host = server_.last_host_id();
  ClientResponse config = server_.Call("GET", "/api/v1/agent/config", node);
  ASSERT_EQ(config.status, 200);
  const std::string etag = Body(config)["etag"].get<std::string>();
  // An agent running another config is answered at once.
  const auto t0 = std::chrono::steady_clock::now();
  ClientResponse stale =
      server_.Call("GET", "/api/v1/agent/commands?wait=10&config_etag=%22old%22", node);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(Body(stale)["config_etag"], etag) << stale.body;
  EXPECT_TRUE(ValidateAgainstSpec("pollAgentCommands", stale).ok());

  ClientResponse poll;
  std::chrono::steady_clock::duration waited{};
  // Its own client: the server's is not for two threads at once.
  std::thread agent([&, url = server_.url(), ca = server_.app().ca_cert_file()] {
    CurlClient client;
    ClientRequest request;
    request.method = "GET";
    std::string escaped;  // the etag's quotes, percent-encoded
    for (char ch : etag) escaped += ch == '"' ? std::string("%22") : std::string(1, ch);
    request.url = url + "/api/v1/agent/commands?wait=10&config_etag=" + escaped;
    request.ca_file = ca;
    request.headers.push_back("Authorization: Bearer " + node.bearer);
    const auto start = std::chrono::steady_clock::now();
    poll = client.Send(request);
    waited = std::chrono::steady_clock::now() - start;
  });
  // Once the poll is parked, a host override changes the host's config.
  ASSERT_TRUE(warden::testing::WaitFor([&] { return server_.app().parked_command_polls() == 1; },
                                       std::chrono::seconds(5)));
  ClientResponse set = Checked("setHostRecipeOverride", "PUT",
                               "/api/v1/hosts/" + std::to_string(host) + "/recipe-override",
                               Json{{"rules", {{"HOST-OPEN-PORTS", {{"enabled", false}}}}}}.dump());
  ASSERT_EQ(set.status, 200);
  agent.join();
  EXPECT_LT(waited, std::chrono::seconds(5))
      << "answered at the change, not at the end of the wait";
  const Json answer = Body(poll);
  EXPECT_TRUE(answer["commands"].empty());
  ASSERT_TRUE(answer["config_etag"].is_string()) << poll.body;
  EXPECT_NE(answer["config_etag"], etag);
  EXPECT_EQ(answer["config_etag"], Effective(host)["config_etag"]);
}

}  // namespace
}  // namespace warden::server::testing
