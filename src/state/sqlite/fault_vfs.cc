// Test-only fault injection under SQLite (see the header). Never active unless
// $RUNLAKE_TEST_STATE_FAULT is set.

#include "state/sqlite/fault_vfs.h"

#include <sqlite3.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>

#include "common/fault_spec.h"

namespace runlake::sqlite {
namespace {

constexpr const char* kVfsName = "runlake-fault";

FaultSpec g_spec;
std::atomic<uint64_t> g_ops{0};
sqlite3_vfs* g_root = nullptr;  // the default VFS, which does the real work

// SQLite allocates szOsFile bytes for each open file: ours, then the real file's.
struct FaultFile {
  sqlite3_file base;  // first: SQLite sees a FaultFile as a sqlite3_file
  sqlite3_file* real;
  char name[64];  // the file's base name, for the count file and the messages
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f)->real; }

int Close(sqlite3_file* f);
int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off);
int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off);
int Truncate(sqlite3_file* f, sqlite3_int64 size);
int Sync(sqlite3_file* f, int flags);
int FileSize(sqlite3_file* f, sqlite3_int64* size);
int Lock(sqlite3_file* f, int level);
int Unlock(sqlite3_file* f, int level);
int CheckReservedLock(sqlite3_file* f, int* out);
int FileControl(sqlite3_file* f, int op, void* arg);
int SectorSize(sqlite3_file* f);
int DeviceCharacteristics(sqlite3_file* f);
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out);
int ShmLock(sqlite3_file* f, int offset, int n, int flags);
void ShmBarrier(sqlite3_file* f);
int ShmUnmap(sqlite3_file* f, int del);
int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out);
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p);

const sqlite3_io_methods kMethods = {
    3,        Close,  Read,   Write,    Truncate,          Sync,        FileSize,   Lock,
    Unlock,   CheckReservedLock, FileControl, SectorSize, DeviceCharacteristics, ShmMap,
    ShmLock,  ShmBarrier, ShmUnmap, Fetch, Unfetch};

// What a counted op does: go on, fail with `rc`, write half and crash, or crash after it.
enum class Action { kGo, kFail, kTorn, kCrashAfter };
struct Decision {
  Action action = Action::kGo;
  int rc = SQLITE_OK;
  std::string where;
};

// Counts the op and decides its fault. `ioerr` is the op's own I/O error code; a torn
// sync or truncate is a crash before it (only writes have bytes to tear).
Decision Decide(sqlite3_file* f, const char* op, int ioerr, bool can_tear) {
  const std::string what = std::string(op) + " " + reinterpret_cast<FaultFile*>(f)->name;
  const uint64_t n = CountFaultOp(g_spec, what, g_ops);
  Decision d;
  if (g_spec.at == 0 || n < g_spec.at) return d;
  d.where = what + " (op " + std::to_string(n) + ")";
  if (g_spec.kind == FaultKind::kIOError) {
    if (n == g_spec.at) SayFault("state ioerror from " + d.where + " on");
    d.action = Action::kFail;
    d.rc = ioerr;
    return d;
  }
  if (n != g_spec.at) return d;
  switch (g_spec.kind) {
    case FaultKind::kCrash:
      CrashForFault("state crash before " + d.where);
    case FaultKind::kTorn:
      if (!can_tear) CrashForFault("state crash (torn) before " + d.where);
      d.action = Action::kTorn;
      return d;
    case FaultKind::kCrashAfter:
      d.action = Action::kCrashAfter;
      return d;
    case FaultKind::kTransient:
    case FaultKind::kSerialization:
      SayFault("state transient error at " + d.where);
      d.action = Action::kFail;
      d.rc = ioerr;
      return d;
    case FaultKind::kDiskFull:
      SayFault("state disk full at " + d.where);
      d.action = Action::kFail;
      d.rc = SQLITE_FULL;
      return d;
    default:
      return d;
  }
}

// Runs a counted op under its decision.
template <typename Op>
int Counted(const Decision& d, Op&& run) {
  if (d.action == Action::kFail) return d.rc;
  int rc = run();
  if (d.action == Action::kCrashAfter) CrashForFault("state crash after " + d.where);
  return rc;
}

int Close(sqlite3_file* f) {
  sqlite3_file* real = Real(f);
  int rc = real->pMethods != nullptr ? real->pMethods->xClose(real) : SQLITE_OK;
  f->pMethods = nullptr;
  return rc;
}
int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}
int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  Decision d = Decide(f, "Write", SQLITE_IOERR_WRITE, true);
  if (d.action == Action::kTorn) {
    Real(f)->pMethods->xWrite(Real(f), buf, n / 2, off);
    CrashForFault("state torn write of " + d.where + ": " + std::to_string(n / 2) + " of " +
                  std::to_string(n) + " bytes");
  }
  return Counted(d, [&] { return Real(f)->pMethods->xWrite(Real(f), buf, n, off); });
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  Decision d = Decide(f, "Truncate", SQLITE_IOERR_TRUNCATE, false);
  return Counted(d, [&] { return Real(f)->pMethods->xTruncate(Real(f), size); });
}
int Sync(sqlite3_file* f, int flags) {
  Decision d = Decide(f, "Sync", SQLITE_IOERR_FSYNC, false);
  return Counted(d, [&] { return Real(f)->pMethods->xSync(Real(f), flags); });
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) { return Real(f)->pMethods->xFileSize(Real(f), size); }
int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); }
int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), off, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}



int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  (void)vfs;
  auto* ff = reinterpret_cast<FaultFile*>(f);
  ff->real = reinterpret_cast<sqlite3_file*>(ff + 1);
  const char* base = name != nullptr ? std::strrchr(name, '/') : nullptr;
  std::snprintf(ff->name, sizeof(ff->name), "%s", name == nullptr ? "(temp)" : base ? base + 1 : name);
  int rc = g_root->xOpen(g_root, name, ff->real, flags, out_flags);
  f->pMethods = ff->real->pMethods != nullptr ? &kMethods : nullptr;
  return rc;
}

// The rest of the VFS is the default one's, called with the default VFS.
int Delete(sqlite3_vfs*, const char* name, int sync_dir) { return g_root->xDelete(g_root, name, sync_dir); }
int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_root->xAccess(g_root, name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_root->xFullPathname(g_root, name, n, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) { return g_root->xDlOpen(g_root, name); }
void DlError(sqlite3_vfs*, int n, char* out) { g_root->xDlError(g_root, n, out); }
void (*DlSym(sqlite3_vfs*, void* h, const char* sym))(void) { return g_root->xDlSym(g_root, h, sym); }
void DlClose(sqlite3_vfs*, void* h) { g_root->xDlClose(g_root, h); }
int Randomness(sqlite3_vfs*, int n, char* out) { return g_root->xRandomness(g_root, n, out); }
int Sleep(sqlite3_vfs*, int micros) { return g_root->xSleep(g_root, micros); }
int CurrentTime(sqlite3_vfs*, double* out) { return g_root->xCurrentTime(g_root, out); }
int GetLastError(sqlite3_vfs*, int n, char* out) { return g_root->xGetLastError(g_root, n, out); }
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) { return g_root->xCurrentTimeInt64(g_root, out); }

sqlite3_vfs g_vfs;

}  // namespace

Result<const char*> FaultVfsName(const std::string& spec_text) {
  static std::once_flag once;
  static Status registered;
  std::call_once(once, [&] {
    auto spec = ParseFaultSpec(spec_text, "RUNLAKE_TEST_STATE_FAULT");
    if (!spec.ok()) {
      registered = spec.status();
      return;
    }
    g_spec = *spec;
    g_root = sqlite3_vfs_find(nullptr);
    if (g_root == nullptr || g_root->iVersion < 2) {
      registered = Status::Internal("RUNLAKE_TEST_STATE_FAULT: no default SQLite VFS to wrap");
      return;
    }
    g_vfs = sqlite3_vfs{};
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + g_root->szOsFile;
    g_vfs.mxPathname = g_root->mxPathname;
    g_vfs.zName = kVfsName;
    g_vfs.xOpen = Open;
    g_vfs.xDelete = Delete;
    g_vfs.xAccess = Access;
    g_vfs.xFullPathname = FullPathname;
    g_vfs.xDlOpen = DlOpen;
    g_vfs.xDlError = DlError;
    g_vfs.xDlSym = DlSym;
    g_vfs.xDlClose = DlClose;
    g_vfs.xRandomness = Randomness;
    g_vfs.xSleep = Sleep;
    g_vfs.xCurrentTime = CurrentTime;
    g_vfs.xGetLastError = GetLastError;
    g_vfs.xCurrentTimeInt64 = CurrentTimeInt64;
    int rc = sqlite3_vfs_register(&g_vfs, 0);
    if (rc != SQLITE_OK) registered = Status::Internal("RUNLAKE_TEST_STATE_FAULT: cannot register the VFS");
  });
  if (!registered.ok()) return registered;
  return kVfsName;
}

}  // namespace runlake::sqlite
