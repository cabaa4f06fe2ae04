#include "gateway/admin_api/config_editor.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <sstream>
#include <utility>

#include "gateway/config/config_file.h"

namespace duet::gateway {
namespace {

using fhir::Json;

// Holds an exclusive flock on "<config>.lock" while alive, so a CLI run and the gateway's admin
// API never interleave their read-change-write of the file.
class FileLock {
 public:
  explicit FileLock(const std::string& path)
      : fd_(open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_ >= 0) flock(fd_, LOCK_EX);
  }
  ~FileLock() {
    if (fd_ >= 0) close(fd_);  // releases the lock
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

// The array at `collection.path`, created when `create`; nullptr when absent (or not an array).
Json* FindArray(Json& config, const ConfigCollection& collection, bool create) {
  Json* node = &config;
  for (size_t i = 0; i < collection.path.size(); ++i) {
    const std::string& member = collection.path[i];
    Json* next = node->is_object() ? node->Find(member) : nullptr;
    if (next == nullptr) {
      if (!create || !node->is_object()) return nullptr;
      bool last = i + 1 == collection.path.size();
      next = &node->Set(member, last ? Json::MakeArray() : Json::MakeObject());
    }
    node = next;
  }
  return node->is_array() ? node : nullptr;
}

// The index of the item keyed `key`, or -1.
int IndexOf(const Json& items, const ConfigCollection& collection, const std::string& key) {
  for (size_t i = 0; i < items.items().size(); ++i) {
    const Json& item = items.items()[i];
    if (item.is_object() && item.StringOr(collection.key) == key) return static_cast<int>(i);
  }
  return -1;
}

Status CheckItem(const ConfigCollection& collection, const Json& item) {
  if (!item.is_object())
    return InvalidArgumentError(": the " + collection.what + " must be a JSON object");
  const Json* key = item.Find(collection.key);
  if (key == nullptr || !key->is_string() || key->string_value().empty()) {
    return InvalidArgumentError("/" + collection.key + ": required");
  }
  return Status::Ok();
}

// kConflict naming a job that syncs with the endpoint `name`.
Status CheckUnused(Json& config, const std::string& name) {
  Json* jobs = FindArray(config, ConfigCollection::Jobs(), /*create=*/false);
  if (jobs == nullptr) return Status::Ok();
  for (const Json& job : jobs->items()) {
    if (job.is_object() && job.StringOr("endpoint") == name) {
      return ConflictError("job " + std::string(job.StringOr("name")) + " uses endpoint " + name +
                           "; remove the job or point it elsewhere first");
    }
  }
  return Status::Ok();
}

}  // namespace

const ConfigCollection& ConfigCollection::Endpoints() {
  static const ConfigCollection kEndpoints{{"endpoints"}, "name", "endpoint"};
  return kEndpoints;
}
const ConfigCollection& ConfigCollection::Clients() {
  static const ConfigCollection kClients{{"auth", "clients"}, "client_id", "client"};
  return kClients;
}
const ConfigCollection& ConfigCollection::Jobs() {
  static const ConfigCollection kJobs{{"jobs"}, "name", "job"};
  return kJobs;
}
std::string ConfigCollection::Pointer() const {
  std::string pointer;
  for (const std::string& member : path) pointer += "/" + member;
  return pointer;
}

std::string ConfigCollection::ItemPointer(Json& config, const std::string& item_key) const {
  Json* items = FindArray(config, *this, /*create=*/false);
  if (items == nullptr) return Pointer() + "/0";
  int index = IndexOf(*items, *this, item_key);
  size_t position = index < 0 ? items->items().size() : static_cast<size_t>(index);
  return Pointer() + "/" + std::to_string(position);
}

Status RelativeToItem(const Status& status, const std::string& item_pointer) {
  if (status.ok() || status.code() != StatusCode::kInvalidArgument) return status;
  std::string lines;
  for (const ConfigProblem& problem : SplitConfigProblems(status)) {
    std::string pointer = problem.pointer;
    if (pointer == item_pointer) {
      pointer = "";
    } else if (pointer.rfind(item_pointer + "/", 0) == 0) {
      pointer = pointer.substr(item_pointer.size());
    }
    lines += (lines.empty() ? "" : "\n") + pointer + ": " + problem.message;
  }
  return InvalidArgumentError(lines);
}

std::vector<ConfigProblem> SplitConfigProblems(const Status& status) {
  std::vector<ConfigProblem> problems;
  std::istringstream lines(status.message());
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    size_t colon = line.find(": ");
    if (!line.empty() && (line[0] == '/' || line[0] == ':') && colon != std::string::npos) {
      problems.push_back({line.substr(0, colon), line.substr(colon + 2)});
    } else {
      problems.push_back({"", line});
    }
  }
  return problems;
}

ConfigEditor::ConfigEditor(std::string config_path) : path_(std::move(config_path)) {}

StatusOr<GatewayConfig> ConfigEditor::Load() const { return LoadGatewayConfig(path_); }
StatusOr<Json> ConfigEditor::LoadJson() const { return ReadConfigJson(path_); }

StatusOr<GatewayConfig> ConfigEditor::Apply(const std::function<Status(Json&)>& change) {
  std::lock_guard<std::mutex> lock(mutex_);
  FileLock file_lock(path_);
  if (!file_lock.ok()) return UnavailableError("cannot lock " + path_ + ".lock");
  DUET_ASSIGN_OR_RETURN(Json config, ReadConfigJson(path_));
  DUET_RETURN_IF_ERROR(change(config));
  DUET_RETURN_IF_ERROR(WriteConfigJson(path_, config));
  return LoadGatewayConfig(path_);
}

StatusOr<GatewayConfig> ConfigEditor::Add(const ConfigCollection& collection, Json item) {
  DUET_RETURN_IF_ERROR(CheckItem(collection, item));
  std::string key(item.StringOr(collection.key));
  return Apply([&](Json& config) -> Status {
    Json* items = FindArray(config, collection, /*create=*/true);
    if (items == nullptr) {
      return InvalidArgumentError(collection.Pointer() + ": must be an array");
    }
    if (IndexOf(*items, collection, key) >= 0) {
      return AlreadyExistsError("a " + collection.what + " named \"" + key + "\" exists");
    }
    items->Append(std::move(item));
    return Status::Ok();
  });
}

StatusOr<GatewayConfig> ConfigEditor::Replace(const ConfigCollection& collection,
                                              const std::string& key, Json item) {
  if (item.is_object() && item.Find(collection.key) == nullptr)
    item.Set(collection.key, Json::String(key));
  DUET_RETURN_IF_ERROR(CheckItem(collection, item));
  if (item.StringOr(collection.key) != key) {
    return InvalidArgumentError("/" + collection.key + ": cannot be changed (it is \"" + key +
                                "\"); add a new " + collection.what + " and remove this one");
  }
  return Apply([&](Json& config) -> Status {
    Json* items = FindArray(config, collection, /*create=*/false);
    int index = items == nullptr ? -1 : IndexOf(*items, collection, key);
    if (index < 0) return NotFoundError("no " + collection.what + " is named \"" + key + "\"");
    items->items()[index] = std::move(item);
    return Status::Ok();
  });
}

StatusOr<GatewayConfig> ConfigEditor::Remove(const ConfigCollection& collection,
                                             const std::string& key) {
  return Apply([&](Json& config) -> Status {
    Json* items = FindArray(config, collection, /*create=*/false);
    int index = items == nullptr ? -1 : IndexOf(*items, collection, key);
    if (index < 0) return NotFoundError("no " + collection.what + " is named \"" + key + "\"");
    if (&collection == &ConfigCollection::Endpoints())
      DUET_RETURN_IF_ERROR(CheckUnused(config, key));
    items->items().erase(items->items().begin() + index);
    return Status::Ok();
  });
}

}  // namespace duet::gateway
