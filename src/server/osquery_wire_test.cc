#include "server/osquery_wire.h"

#include <gtest/gtest.h>

namespace warden::server {
namespace {

TEST(OsqueryWireTest, EnrollmentTakesIdentityFromHostDetails) {
  Json body = {
      {"enroll_secret", "  wdn_enr_x \n"},
      {"host_identifier", "web-07"},
      {"platform_type", "9"},
      {"host_details",
       {{"os_version", {{"name", "Ubuntu"}, {"version", "24.04"}, {"platform", "ubuntu"}}},
        {"osquery_info", {{"version", "5.13.1"}, {"instance_id", "i-1"}}},
        {"system_info", {{"uuid", "U-1"}, {"hostname", "web-07.lan"}, {"cpu_type", "arm64"}}}}}};
  Result<OsqueryEnrollment> e = ParseOsqueryEnrollment(body);
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(e->enroll_secret, "wdn_enr_x");
  EXPECT_EQ(e->machine_id, "U-1");
  EXPECT_EQ(e->instance_id, "i-1");
  EXPECT_EQ(e->hostname, "web-07.lan");
  EXPECT_EQ(e->os_id, "ubuntu");
  EXPECT_EQ(e->arch, "arm64");
  EXPECT_EQ(e->osquery_version, "5.13.1");
}

TEST(OsqueryWireTest, EnrollmentWithoutDetailsFallsBackToTheHostIdentifier) {
  Result<OsqueryEnrollment> e = ParseOsqueryEnrollment(
      Json{{"enroll_secret", "s"}, {"host_identifier", "h"}, {"host_details", "not an object"}});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->machine_id, "h");
  EXPECT_EQ(e->hostname, "h");
  EXPECT_FALSE(ParseOsqueryEnrollment(Json{{"host_identifier", "h"}}).ok());
  EXPECT_FALSE(ParseOsqueryEnrollment(Json{{"enroll_secret", "s"}, {"host_identifier", " "}}).ok());
  EXPECT_FALSE(ParseOsqueryEnrollment(Json::array()).ok());
}

TEST(OsqueryWireTest, LogBatchKeepsObjectsAndCountsTheRest) {
  Result<OsqueryLogBatch> b =
      ParseOsqueryLogBatch(Json{{"log_type", "status"}, {"data", {Json{{"severity", 0}}, 5, "x"}}});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->type, OsqueryLogType::kStatus);
  EXPECT_EQ(b->lines.size(), 1u);
  EXPECT_EQ(b->skipped, 2);
  EXPECT_FALSE(ParseOsqueryLogBatch(Json{{"log_type", "snapshot"}, {"data", Json::array()}}).ok());
  EXPECT_FALSE(ParseOsqueryLogBatch(Json{{"log_type", "result"}}).ok());
}

TEST(OsqueryWireTest, ResultRecordsHaveStableIdsSoAResendIsADuplicate) {
  Json line = {{"name", "q"}, {"unixTime", 1700000000}, {"columns", {{"a", "1"}}}};
  int64_t skipped = 0;
  Json first = OsqueryResultRecordBatch({line, line, Json{{"columns", 1}}}, &skipped);
  Json again = OsqueryResultRecordBatch({line, line}, nullptr);
  EXPECT_EQ(skipped, 1);
  ASSERT_EQ(first["records"].size(), 2u);
  // Equal lines in one upload are two records; the same upload, the same ids.
  EXPECT_NE(first["records"][0]["id"], first["records"][1]["id"]);
  EXPECT_EQ(first["records"], again["records"]);
  EXPECT_EQ(first["records"][0]["kind"], "results");
  EXPECT_EQ(first["records"][0]["time_ms"], 1700000000000);
  EXPECT_EQ(first["records"][0]["body"], line);
}

TEST(OsqueryWireTest, DistributedWriteKeepsColumnOrderAndStringValues) {
  Result<std::vector<OsqueryQueryAnswer>> a = ParseOsqueryDistributedWrite(
      R"({"queries":{"warden-cmd-7":[{"pid":"1","name":"systemd"},{"pid":"2","cmd":""}],)"
      R"("warden-cmd-8":""},"statuses":{"warden-cmd-7":0,"warden-cmd-8":1},)"
      R"("messages":{"warden-cmd-7":"","warden-cmd-8":"no such table: x"},)"
      R"("stats":{"warden-cmd-7":{"wall_time_ms":12}},"node_key":"k"})");
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ((*a)[0].name, "warden-cmd-7");
  EXPECT_EQ((*a)[0].columns, (std::vector<std::string>{"pid", "name", "cmd"}));
  EXPECT_EQ((*a)[0].rows[0], R"({"pid":"1","name":"systemd"})");
  EXPECT_EQ((*a)[0].wall_time_ms, 12);
  EXPECT_EQ((*a)[1].status, 1);
  EXPECT_EQ((*a)[1].message, "no such table: x");
  EXPECT_TRUE((*a)[1].rows.empty());
}

TEST(OsqueryWireTest, DistributedWriteRefusesShapesOsqueryNeverSends) {
  for (const char* body : {"[]", "{", R"({"queries":[]})", R"({"queries":{"q":5}})",
                           R"({"queries":{"q":[5]}})", R"({"queries":{"q":[{"a":{"b":1}}]}})",
                           R"({"statuses":{"q":"x"}})", R"({"messages":{"q":1}})"}) {
    EXPECT_FALSE(ParseOsqueryDistributedWrite(body).ok()) << body;
  }
  // Only rows, as osquery before 3.x sent them: status 0.
  auto old = ParseOsqueryDistributedWrite(R"({"queries":{"q":[{"a":"1"}]}})");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ((*old)[0].status, 0);
}

TEST(OsqueryWireTest, QueryNamesRoundTripOnlyForWardensOwn) {
  EXPECT_EQ(OsqueryQueryName(42), "warden-cmd-42");
  EXPECT_EQ(CommandIdOfOsqueryQuery("warden-cmd-42"), 42);
  for (const char* name : {"warden-cmd-", "warden-cmd-0", "warden-cmd-4x", "fleet-1", "",
                           "warden-cmd-99999999999999999999"}) {
    EXPECT_FALSE(CommandIdOfOsqueryQuery(name).has_value()) << name;
  }
}

TEST(OsqueryWireTest, ErrorResponsesCarryErrorAndNodeInvalidOnlyFor401) {
  HttpResponse unauth = OsqueryErrorResponse(api::MakeApiError(api::kErrorUnauthenticated, "no"));
  EXPECT_EQ(unauth.status, 401);
  EXPECT_EQ(Json::parse(unauth.body), (Json{{"error", "no"}, {"node_invalid", true}}));
  HttpResponse invalid =
      OsqueryErrorResponse(api::MakeApiError(api::kErrorValidation, "bad", "/data"));
  EXPECT_EQ(Json::parse(invalid.body), (Json{{"error", "/data: bad"}, {"node_invalid", false}}));
}

}  // namespace
}  // namespace warden::server
