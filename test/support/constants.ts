/**
 * The ids every test uses: one merchant, its app and payer, its certificate serial, WeChat Pay's
 * public key id and the APIv3 key. A test that needs another value on purpose uses the named one
 * for that purpose (another merchant, a sub-merchant, a serial that is not ours).
 */

/** Our merchant: the sandbox's default (`Sandbox.DEFAULT_MCHID`), as in the WeChat Pay docs' examples. */
export const MCHID = "1230000109"
/** A merchant that is not ours: what a request naming it is refused for, or what a sandbox given it accepts instead of the default. */
export const OTHER_MCHID = "1900000001"
/** A sub-merchant (`sub_mchid` of the partner endpoints), as in the docs' examples. */
export const SUB_MCHID = "1900000109"
/** The merchant's app (`appid`), as in the docs' examples. */
export const APPID = "wxd678efh567hg6787"
/** A payer (`openid`), as in the docs' examples. */
export const OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"

/** Our merchant API certificate serial (`serial_no` in Authorization). */
export const MERCHANT_SERIAL = "3775B6A45ACD588826D15E583A95F5DD4C1DF0A1"
/** A merchant certificate serial that is not ours. */
export const OTHER_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
/** WeChat Pay's public key id (public-key mode). */
export const PUBLIC_KEY_ID = "PUB_KEY_ID_0119000000012024101100000000000001"
/** A 32-byte APIv3 key used only in tests. */
export const API_V3_KEY = "Xq7vK2mP9wR4tY6uZ8aB3cD5eF1gH0jL"
