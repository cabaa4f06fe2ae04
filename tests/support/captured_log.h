// CapturedLog: routes spdlog's default logger into memory for the length of a test, for tests
// that check what the gateway logs. Test code only; one at a time (it swaps the process-wide
// default logger). Any thread may log while it is in place, and Lines() may run meanwhile.
#pragma once

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace duet::test {

class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()), sink_(std::make_shared<LineSink>()) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink_));
    spdlog::set_level(spdlog::level::info);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  // The lines logged so far, formatted as the gateway's sink would write them.
  std::vector<std::string> Lines() const { return sink_->Lines(); }

 private:
  // Keeps each formatted message as lines, under the sink's own lock.
  class LineSink : public spdlog::sinks::base_sink<std::mutex> {
   public:
    std::vector<std::string> Lines() {
      std::lock_guard<std::mutex> lock(mutex_);
      return lines_;
    }

   protected:
    void sink_it_(const spdlog::details::log_msg& message) override {
      spdlog::memory_buf_t formatted;
      formatter_->format(message, formatted);
      std::istringstream in(std::string(formatted.data(), formatted.size()));
      for (std::string line; std::getline(in, line);) lines_.push_back(line);
    }
    void flush_() override {}

   private:
    std::vector<std::string> lines_;
  };

  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<LineSink> sink_;
};

}  // namespace duet::test
