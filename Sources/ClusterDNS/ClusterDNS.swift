// ClusterDNS: a small DNS implementation for the local fleet's cluster DNS (the "CoreDNS" of each
// member): the RFC 1035 wire format (Wire/), a UDP and TCP server over SwiftNIO (Server/), and a
// client for tests, demos and benchmarks (Client/). What names mean is not decided here: the
// server asks a `DNSQueryHandler` for the answer to each question.
