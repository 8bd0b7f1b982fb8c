#include "ingest/timestamp_format.h"

namespace runlake {
namespace {

// Reads exactly n ASCII digits.
bool ReadDigits(const char*& p, const char* end, int n, int* value) {
  if (end - p < n) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    unsigned d = static_cast<unsigned char>(p[i]) - '0';
    if (d > 9) return false;
    v = v * 10 + static_cast<int>(d);
  }
  p += n;
  *value = v;
  return true;
}

// 1-9 digits; keeps the first six as microseconds (truncation never carries into seconds).
bool ReadFraction(const char*& p, const char* end, int* micros) {
  int n = 0, v = 0;
  while (p < end && n < 10 && static_cast<unsigned>(*p - '0') <= 9) {
    if (n < 6) v = v * 10 + (*p - '0');
    ++p;
    ++n;
  }
  if (n == 0 || n > 9) return false;
  for (int i = n; i < 6; ++i) v *= 10;
  *micros = v;
  return true;
}

// Z, +HH:MM, +HHMM (or '-'); offset in seconds east of UTC.
bool ReadZone(const char*& p, const char* end, int* offset_seconds) {
  if (p >= end) return false;
  if (*p == 'Z') {
    ++p;
    *offset_seconds = 0;
    return true;
  }
  if (*p != '+' && *p != '-') return false;
  int sign = *p == '-' ? -1 : 1;
  ++p;
  int hh, mm;
  if (!ReadDigits(p, end, 2, &hh)) return false;
  if (p < end && *p == ':') ++p;
  if (!ReadDigits(p, end, 2, &mm)) return false;
  if (hh > 23 || mm > 59) return false;
  *offset_seconds = sign * (hh * 3600 + mm * 60);
  return true;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Result<TimestampFormat> TimestampFormat::Compile(std::string_view format) {
  TimestampFormat f;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      f.steps_.push_back({Op::kLiteral, format[i]});
      continue;
    }
    if (++i == format.size()) {
      return Status::InvalidArgument("timestamp format '" + std::string(format) +
                                     "' ends with a lone '%'");
    }
    switch (format[i]) {
      case 'Y':
        f.steps_.push_back({Op::kYear, 0});
        break;
      case 'm':
        f.steps_.push_back({Op::kMonth, 0});
        break;
      case 'd':
        f.steps_.push_back({Op::kDay, 0});
        break;
      case 'H':
        f.steps_.push_back({Op::kHour, 0});
        break;
      case 'M':
        f.steps_.push_back({Op::kMinute, 0});
        break;
      case 'S':
        f.steps_.push_back({Op::kSecond, 0});
        break;
      case 'f':
        f.steps_.push_back({Op::kFraction, 0});
        break;
      case 'z':
        f.steps_.push_back({Op::kZone, 0});
        break;
      case '%':
        f.steps_.push_back({Op::kLiteral, '%'});
        break;
      default:
        return Status::InvalidArgument("unsupported directive %" + std::string(1, format[i]) +
                                       " in timestamp format '" + std::string(format) +
                                       "' (supported: %Y %m %d %H %M %S %f %z %%)");
    }
  }
  if (f.steps_.empty()) return Status::InvalidArgument("empty timestamp format");
  return f;
}

bool TimestampFormat::Parse(std::string_view text, int64_t* micros) const {
  const char* p = text.data();
  const char* end = p + text.size();
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, frac = 0, zone = 0;
  for (const Step& s : steps_) {
    bool ok = false;
    switch (s.op) {
      case Op::kYear:
        ok = ReadDigits(p, end, 4, &year);
        break;
      case Op::kMonth:
        ok = ReadDigits(p, end, 2, &month);
        break;
      case Op::kDay:
        ok = ReadDigits(p, end, 2, &day);
        break;
      case Op::kHour:
        ok = ReadDigits(p, end, 2, &hour);
        break;
      case Op::kMinute:
        ok = ReadDigits(p, end, 2, &minute);
        break;
      case Op::kSecond:
        ok = ReadDigits(p, end, 2, &second);
        break;
      case Op::kFraction:
        ok = ReadFraction(p, end, &frac);
        break;
      case Op::kZone:
        ok = ReadZone(p, end, &zone);
        break;
      case Op::kLiteral:
        ok = p < end && *p == s.literal;
        p += ok;
        break;
    }
    if (!ok) return false;
  }
  if (p != end) return false;
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  int64_t seconds =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
      hour * 3600 + minute * 60 + second - zone;
  *micros = seconds * 1000000 + frac;
  return true;
}

Result<TimestampParser> TimestampParser::Compile(const std::vector<std::string>& formats) {
  TimestampParser parser;
  for (const std::string& f : formats) {
    RUNLAKE_ASSIGN_OR_RAISE(TimestampFormat compiled, TimestampFormat::Compile(f));
    parser.formats_.push_back(std::move(compiled));
  }
  return parser;
}

bool TimestampParser::Parse(std::string_view text, int64_t* micros) const {
  for (const TimestampFormat& f : formats_) {
    if (f.Parse(text, micros)) return true;
  }
  return false;
}

bool ParseDayMicros(std::string_view date, int64_t* micros) {
  static const TimestampFormat kDay = *TimestampFormat::Compile("%Y-%m-%d");
  return kDay.Parse(date, micros);
}

}  // namespace runlake
