#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import NIOCore

// Binding to an address another process already serves on fails with EADDRINUSE; the local
// fleet's kubelet and load balancers then move to the next address of their pool.

enum AddressInUse {
    static func matches(_ error: any Error) -> Bool {
        if let error = error as? IOError { return error.errnoCode == EADDRINUSE }
        return false
    }
}
