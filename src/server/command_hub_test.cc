// The command long-poll: at once when commands are pending, early when one
// is queued, within the wait otherwise, and released when the client goes.
#include "server/command_hub.h"

#include <gtest/gtest.h>

#include "api/openapi_spec.h"
#include "api/response_validator.h"
#include "core/time_format.h"
#include "server/capturing_response_sink.h"
#include "store/store_test_fixture.h"

namespace warden::server {
namespace {

using namespace std::chrono_literals;
using store::StoreWriter;

class CommandHubTest : public store::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    store::NewEnrolSecret s;
    s.name = "default";
    s.sha256 = "secret-hash";
    s.created_at = 1;
    auto secret = MustWrite([&](StoreWriter& w) { return w.enrol_secrets().Create(s); });
    ASSERT_TRUE(secret.ok());
    for (std::string name : {"web-1", "web-2"}) {
      store::HostEnrolment e;
      e.machine_id = "m-" + name;
      e.hostname = name;
      e.enrol_secret_id = secret->id;
      e.node_key_sha256 = "node-" + name;
      e.now = 10;
      auto host = MustWrite([&](StoreWriter& w) { return w.hosts().Enrol(e); });
      ASSERT_TRUE(host.ok());
      hosts_.push_back(host->host.id);
    }
    hub_ = std::make_unique<CommandHub>(store(), [] { return NowEpochMillis(); });
  }
  void TearDown() override { hub_.reset(); }

  store::NewAgentCommand Command(int64_t host, std::string type = "reload_config") {
    store::NewAgentCommand c;
    c.host_id = host;
    c.type = std::move(type);
    c.created_at = NowEpochMillis();
    return c;
  }

  // Polls and returns the sink that will get the answer.
  std::shared_ptr<CapturingResponseSink> Poll(int64_t host, std::chrono::milliseconds wait) {
    auto sink = std::make_shared<CapturingResponseSink>();
    hub_->Poll(host, wait, HttpResponder(sink));
    return sink;
  }

  // The answer's commands, after checking it against the spec.
  static Json Commands(const HttpResponse& response) {
    auto spec = api::OpenApiSpec::Embedded();
    EXPECT_TRUE(spec.ok());
    Status valid =
        api::ValidateResponse(*(*spec)->FindById("pollAgentCommands"), response.status,
                              response.headers.Get("Content-Type").value_or(""), response.body);
    EXPECT_TRUE(valid.ok()) << valid.message();
    Json body = Json::parse(response.body, nullptr, false);
    return body.is_object() ? body["commands"] : Json();
  }

  bool AwaitParked(size_t n) {
    for (auto until = std::chrono::steady_clock::now() + 5s;
         std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(1ms))
      if (hub_->parked() == n) return true;
    return false;
  }

  std::vector<int64_t> hosts_;
  std::unique_ptr<CommandHub> hub_;
};

TEST_F(CommandHubTest, PendingCommandsAreAnsweredAtOnceAndMarkedDelivered) {
  store::NewAgentCommand run = Command(hosts_[0], "run_detector");
  run.args_json = R"({"rule_ids":["HOST-VULN"]})";
  auto queued = hub_->Queue(run).Wait();
  ASSERT_TRUE(queued.ok());
  auto sink = Poll(hosts_[0], 10s);
  auto response = sink->Await(5s);
  ASSERT_TRUE(response.has_value());
  Json commands = Commands(*response);
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0]["id"], std::to_string(queued->id));
  EXPECT_EQ(commands[0]["type"], "run_detector");
  auto row = store().commands().Get(queued->id);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->deliveries, 1);
  // Delivered and not yet answered: the next poll does not get it again at once.
  auto next = Poll(hosts_[0], 0ms)->Await(5s);
  ASSERT_TRUE(next.has_value());
  EXPECT_TRUE(Commands(*next).empty());
}

TEST_F(CommandHubTest, AParkedPollIsAnsweredAsSoonAsACommandIsQueued) {
  auto other = Poll(hosts_[1], 10s);
  auto sink = Poll(hosts_[0], 10s);
  ASSERT_TRUE(AwaitParked(2));
  EXPECT_FALSE(sink->answered());
  const auto queued_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(hub_->Queue(Command(hosts_[0])).Wait().ok());
  auto response = sink->Await(5s);  // far below the 10 s wait
  ASSERT_TRUE(response.has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - queued_at, 5s);
  EXPECT_EQ(Commands(*response).size(), 1u);
  EXPECT_FALSE(other->answered());  // another host's poll stays parked
  EXPECT_EQ(hub_->parked(), 1u);
}

TEST_F(CommandHubTest, AnEmptyListComesWhenTheWaitIsOver) {
  const auto start = std::chrono::steady_clock::now();
  auto sink = Poll(hosts_[0], 300ms);
  auto response = sink->Await(5s);
  ASSERT_TRUE(response.has_value());
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 5s);
  EXPECT_TRUE(Commands(*response).empty());
  EXPECT_EQ(hub_->parked(), 0u);
}

TEST_F(CommandHubTest, WaitZeroAnswersAtOnce) {
  auto response = Poll(hosts_[0], 0ms)->Await(5s);
  ASSERT_TRUE(response.has_value());
  EXPECT_TRUE(Commands(*response).empty());
  EXPECT_EQ(hub_->parked(), 0u);
}

TEST_F(CommandHubTest, AClientThatGoesAwayReleasesItsPoll) {
  auto sink = Poll(hosts_[0], 10s);
  ASSERT_TRUE(AwaitParked(1));
  sink->Hangup();
  EXPECT_EQ(hub_->parked(), 0u);
  // A command queued later waits for the next poll.
  ASSERT_TRUE(hub_->Queue(Command(hosts_[0])).Wait().ok());
  auto response = Poll(hosts_[0], 10s)->Await(5s);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(Commands(*response).size(), 1u);
}

TEST_F(CommandHubTest, ManyParkedPollsAreAllAnsweredWhenTheHubStops) {
  std::vector<std::shared_ptr<CapturingResponseSink>> sinks;
  for (int i = 0; i < 500; ++i) sinks.push_back(Poll(hosts_[i % 2], 10s));
  ASSERT_TRUE(AwaitParked(500));
  hub_.reset();  // answers every parked poll
  for (auto& sink : sinks) {
    auto response = sink->Await(1s);
    ASSERT_TRUE(response.has_value());
    EXPECT_TRUE(Commands(*response).empty());
  }
}

TEST_F(CommandHubTest, UnansweredCommandsAreDeliveredAgainAfterAWhile) {
  CommandHubOptions options;
  options.redeliver_after = 0ms;
  store::EpochMs now = 1000;
  hub_ = std::make_unique<CommandHub>(
      store(), [&] { return now++; }, options);
  ASSERT_TRUE(hub_->Queue(Command(hosts_[0])).Wait().ok());
  auto first = Poll(hosts_[0], 0ms)->Await(5s);
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(Commands(*first).size(), 1u);
  auto second = Poll(hosts_[0], 0ms)->Await(5s);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(Commands(*second).size(), 1u);
}

}  // namespace
}  // namespace warden::server
