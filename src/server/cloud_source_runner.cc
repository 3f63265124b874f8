#include "server/cloud_source_runner.h"

#include <atomic>
#include <thread>
#include <utility>
#include <vector>

#include "cloud/cloud_rule_settings.h"
#include "cloud/cloud_source_follower.h"
#include "server/cloud_problems.h"

namespace warden::server {

struct CloudSourceRunner::Wanted {
  store::CloudSource source;
  store::CloudAccount account;
  store::CloudOrganisation organisation;
  // What the follower was started with: a different key restarts it.
  std::string key;
};

struct CloudSourceRunner::Follower {
  std::string key;
  std::atomic<bool> stop{false};
  std::atomic<bool> finished{false};
  std::atomic<store::EpochMs> finished_at{0};
  std::thread thread;

  void Join() {
    stop = true;
    if (thread.joinable()) thread.join();
  }
};

namespace {

// Follows `w.source` until `stop`; each file read is one store write.
Status Follow(store::Store& store, const std::function<store::EpochMs()>& now,
              std::chrono::milliseconds interval, const std::atomic<bool>& stop,
              const store::CloudSource& source, const store::CloudAccount& account,
              const store::CloudOrganisation& organisation) {
  ASSIGN_OR_RETURN(TrailProfile profile, StoredAccountProfile(organisation, account));
  CloudSourceFollower::Options options;
  options.directory = source.path;
  options.interval = interval;
  ASSIGN_OR_RETURN(options.positions, store.cloud_accounts().SourcePositions(source.id));
  ASSIGN_OR_RETURN(std::unique_ptr<CloudSourceFollower> follower,
                   CloudSourceFollower::Create(CloudRuleCatalogFor(account.provider),
                                               std::move(profile), std::move(options)));
  return follower->Run(
      [&stop] { return stop.load(); },
      [&](CloudSourceBatch&& batch) -> Status {
        store::CloudSourceProgress progress;
        progress.file = batch.path;
        progress.position = batch.position;
        progress.events = static_cast<int64_t>(batch.events);
        progress.findings = static_cast<int64_t>(batch.findings.size());
        progress.errors = std::move(batch.problems);
        progress.at = now();
        return store
            .Write([&](store::StoreWriter& w) -> Status {
              ASSIGN_OR_RETURN(bool exists,
                               w.cloud_accounts().RecordSourceProgress(source.id, progress));
              // Deleted meanwhile (with its account, maybe):
              // nothing to store; Reconcile stops this follower.
              if (!exists) return Status::Ok();
              return WriteCloudFindings(w, account, batch.findings, progress.at).status();
            })
            .Wait()
            .status();
      });
}

}  // namespace

CloudSourceRunner::CloudSourceRunner(store::Store& store, std::function<store::EpochMs()> now,
                                     std::function<void(std::string_view)> log, Options options)
    : store_(store), now_(std::move(now)), log_(std::move(log)), options_(options) {}

CloudSourceRunner::~CloudSourceRunner() { Stop(); }

Status CloudSourceRunner::Reconcile() {
  ASSIGN_OR_RETURN(std::vector<store::CloudSource> sources,
                   store_.cloud_accounts().EnabledSources());
  std::map<int64_t, Wanted> wanted;
  for (store::CloudSource& source : sources) {
    ASSIGN_OR_RETURN(std::optional<store::CloudAccount> account,
                     store_.cloud_accounts().GetAccount(source.account_id));
    if (!account) continue;
    ASSIGN_OR_RETURN(std::optional<store::CloudOrganisation> organisation,
                     store_.cloud_accounts().GetOrganisation(account->organisation_id));
    if (!organisation) continue;
    Wanted w;
    w.key = source.path + "\n" + std::to_string(source.updated_at) + "\n" +
            std::to_string(account->updated_at) + "\n" + std::to_string(organisation->updated_at);
    const int64_t id = source.id;
    w.source = std::move(source);
    w.account = std::move(*account);
    w.organisation = std::move(*organisation);
    wanted.emplace(id, std::move(w));
  }

  std::lock_guard lock(mu_);
  if (stopped_) return Status::Ok();
  const store::EpochMs now = now_();
  for (auto it = followers_.begin(); it != followers_.end();) {
    Follower& f = *it->second;
    auto w = wanted.find(it->first);
    const bool retry = f.finished && now - f.finished_at.load() >= options_.retry_after.count();
    if (w == wanted.end() || w->second.key != f.key || retry) {
      f.Join();
      it = followers_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [id, w] : wanted)
    if (!followers_.contains(id)) StartLocked(w);
  return Status::Ok();
}

void CloudSourceRunner::StartLocked(const Wanted& wanted) {
  auto follower = std::make_unique<Follower>();
  follower->key = wanted.key;
  Follower* f = follower.get();
  f->thread = std::thread([this, f, w = wanted] {
    Status followed =
        Follow(store_, now_, options_.poll_interval, f->stop, w.source, w.account, w.organisation);
    if (!followed.ok() && !f->stop)
      log_("cloud source " + std::to_string(w.source.id) + " (" + w.source.name +
           "): stopped: " + followed.message() + "; starting again in " +
           std::to_string(options_.retry_after.count() / 1000) + " s");
    f->finished_at = now_();
    f->finished = true;
  });
  followers_.emplace(wanted.source.id, std::move(follower));
}

void CloudSourceRunner::Stop() {
  std::map<int64_t, std::unique_ptr<Follower>> followers;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    followers.swap(followers_);
  }
  for (auto& [id, f] : followers) f->stop = true;
  for (auto& [id, f] : followers) f->Join();
}

size_t CloudSourceRunner::running() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [id, f] : followers_)
    if (!f->finished) ++n;
  return n;
}

}  // namespace warden::server
