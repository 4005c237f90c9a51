//! [`PairHeaders`]: a request's headers as `(name, value)` pairs, for tests
//! and benches that drive the gate directly (no web framework).

use cognito_verifier::gate::HeaderView;

/// Headers as `(lower-case name, value)` pairs, in request order; looked up
/// without allocating, as an adapter's header map is.
#[derive(Debug, Clone, Default)]
pub struct PairHeaders<N>(pub Vec<(N, Vec<u8>)>);

impl<N: AsRef<str>> HeaderView for PairHeaders<N> {
    fn values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> + 's {
        // The name as stored here: the iterator may borrow only `self`.
        let key: Option<&'s str> = self.0.iter().map(|(n, _)| n.as_ref()).find(|n| *n == name);
        self.0
            .iter()
            .filter(move |(n, _)| Some(n.as_ref()) == key)
            .map(|(_, v)| v.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_of_a_name_in_order() {
        let headers = PairHeaders(vec![
            ("cookie", b"a=1".to_vec()),
            ("host", b"h".to_vec()),
            ("cookie", b"b=2".to_vec()),
        ]);
        let cookies: Vec<&[u8]> = headers.values("cookie").collect();
        assert_eq!(cookies, [b"a=1".as_slice(), b"b=2".as_slice()]);
        assert_eq!(headers.values("accept").count(), 0);
    }
}
