import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 7163:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const debug = __nccwpck_require__(1159)
const { MAX_LENGTH, MAX_SAFE_INTEGER } = __nccwpck_require__(5101)
const { safeRe: re, t } = __nccwpck_require__(5471)

const parseOptions = __nccwpck_require__(356)
const { compareIdentifiers } = __nccwpck_require__(3348)

const isPrereleaseIdentifier = (prerelease, identifier) => {
  const identifiers = identifier.split('.')
  if (identifiers.length > prerelease.length) {
    return false
  }

  for (let i = 0; i < identifiers.length; i++) {
    if (compareIdentifiers(prerelease[i], identifiers[i]) !== 0) {
      return false
    }
  }

  return true
}

class SemVer {
  constructor (version, options) {
    options = parseOptions(options)

    if (version instanceof SemVer) {
      if (version.loose === !!options.loose &&
        version.includePrerelease === !!options.includePrerelease) {
        return version
      } else {
        version = version.version
      }
    } else if (typeof version !== 'string') {
      throw new TypeError(`Invalid version. Must be a string. Got type "${typeof version}".`)
    }

    if (version.length > MAX_LENGTH) {
      throw new TypeError(
        `version is longer than ${MAX_LENGTH} characters`
      )
    }

    debug('SemVer', version, options)
    this.options = options
    this.loose = !!options.loose
    // this isn't actually relevant for versions, but keep it so that we
    // don't run into trouble passing this.options around.
    this.includePrerelease = !!options.includePrerelease

    const m = version.trim().match(options.loose ? re[t.LOOSE] : re[t.FULL])

    if (!m) {
      throw new TypeError(`Invalid Version: ${version}`)
    }

    this.raw = version

    // these are actually numbers
    this.major = +m[1]
    this.minor = +m[2]
    this.patch = +m[3]

    if (this.major > MAX_SAFE_INTEGER || this.major < 0) {
      throw new TypeError('Invalid major version')
    }

    if (this.minor > MAX_SAFE_INTEGER || this.minor < 0) {
      throw new TypeError('Invalid minor version')
    }

    if (this.patch > MAX_SAFE_INTEGER || this.patch < 0) {
      throw new TypeError('Invalid patch version')
    }

    // numberify any prerelease numeric ids
    if (!m[4]) {
      this.prerelease = []
    } else {
      this.prerelease = m[4].split('.').map((id) => {
        if (/^[0-9]+$/.test(id)) {
          const num = +id
          if (num >= 0 && num < MAX_SAFE_INTEGER) {
            return num
          }
        }
        return id
      })
    }

    this.build = m[5] ? m[5].split('.') : []
    this.format()
  }

  format () {
    this.version = `${this.major}.${this.minor}.${this.patch}`
    if (this.prerelease.length) {
      this.version += `-${this.prerelease.join('.')}`
    }
    return this.version
  }

  toString () {
    return this.version
  }

  compare (other) {
    debug('SemVer.compare', this.version, this.options, other)
    if (!(other instanceof SemVer)) {
      if (typeof other === 'string' && other === this.version) {
        return 0
      }
      other = new SemVer(other, this.options)
    }

    if (other.version === this.version) {
      return 0
    }

    return this.compareMain(other) || this.comparePre(other)
  }

  compareMain (other) {
    if (!(other instanceof SemVer)) {
      other = new SemVer(other, this.options)
    }

    if (this.major < other.major) {
      return -1
    }
    if (this.major > other.major) {
      return 1
    }
    if (this.minor < other.minor) {
      return -1
    }
    if (this.minor > other.minor) {
      return 1
    }
    if (this.patch < other.patch) {
      return -1
    }
    if (this.patch > other.patch) {
      return 1
    }
    return 0
  }

  comparePre (other) {
    if (!(other instanceof SemVer)) {
      other = new SemVer(other, this.options)
    }

    // NOT having a prerelease is > having one
    if (this.prerelease.length && !other.prerelease.length) {
      return -1
    } else if (!this.prerelease.length && other.prerelease.length) {
      return 1
    } else if (!this.prerelease.length && !other.prerelease.length) {
      return 0
    }

    let i = 0
    do {
      const a = this.prerelease[i]
      const b = other.prerelease[i]
      debug('prerelease compare', i, a, b)
      if (a === undefined && b === undefined) {
        return 0
      } else if (b === undefined) {
        return 1
      } else if (a === undefined) {
        return -1
      } else if (a === b) {
        continue
      } else {
        return compareIdentifiers(a, b)
      }
    } while (++i)
  }

  compareBuild (other) {
    if (!(other instanceof SemVer)) {
      other = new SemVer(other, this.options)
    }

    let i = 0
    do {
      const a = this.build[i]
      const b = other.build[i]
      debug('build compare', i, a, b)
      if (a === undefined && b === undefined) {
        return 0
      } else if (b === undefined) {
        return 1
      } else if (a === undefined) {
        return -1
      } else if (a === b) {
        continue
      } else {
        return compareIdentifiers(a, b)
      }
    } while (++i)
  }

  // preminor will bump the version up to the next minor release, and immediately
  // down to pre-release. premajor and prepatch work the same way.
  inc (release, identifier, identifierBase) {
    if (release.startsWith('pre')) {
      if (!identifier && identifierBase === false) {
        throw new Error('invalid increment argument: identifier is empty')
      }
      // Avoid an invalid semver results
      if (identifier) {
        const match = `-${identifier}`.match(this.options.loose ? re[t.PRERELEASELOOSE] : re[t.PRERELEASE])
        if (!match || match[1] !== identifier) {
          throw new Error(`invalid identifier: ${identifier}`)
        }
      }
    }

    switch (release) {
      case 'premajor':
        this.prerelease.length = 0
        this.patch = 0
        this.minor = 0
        this.major++
        this.inc('pre', identifier, identifierBase)
        break
      case 'preminor':
        this.prerelease.length = 0
        this.patch = 0
        this.minor++
        this.inc('pre', identifier, identifierBase)
        break
      case 'prepatch':
        // If this is already a prerelease, it will bump to the next version
        // drop any prereleases that might already exist, since they are not
        // relevant at this point.
        this.prerelease.length = 0
        this.inc('patch', identifier, identifierBase)
        this.inc('pre', identifier, identifierBase)
        break
      // If the input is a non-prerelease version, this acts the same as
      // prepatch.
      case 'prerelease':
        if (this.prerelease.length === 0) {
          this.inc('patch', identifier, identifierBase)
        }
        this.inc('pre', identifier, identifierBase)
        break
      case 'release':
        if (this.prerelease.length === 0) {
          throw new Error(`version ${this.raw} is not a prerelease`)
        }
        this.prerelease.length = 0
        break

      case 'major':
        // If this is a pre-major version, bump up to the same major version.
        // Otherwise increment major.
        // 1.0.0-5 bumps to 1.0.0
        // 1.1.0 bumps to 2.0.0
        if (
          this.minor !== 0 ||
          this.patch !== 0 ||
          this.prerelease.length === 0
        ) {
          this.major++
        }
        this.minor = 0
        this.patch = 0
        this.prerelease = []
        break
      case 'minor':
        // If this is a pre-minor version, bump up to the same minor version.
        // Otherwise increment minor.
        // 1.2.0-5 bumps to 1.2.0
        // 1.2.1 bumps to 1.3.0
        if (this.patch !== 0 || this.prerelease.length === 0) {
          this.minor++
        }
        this.patch = 0
        this.prerelease = []
        break
      case 'patch':
        // If this is not a pre-release version, it will increment the patch.
        // If it is a pre-release it will bump up to the same patch version.
        // 1.2.0-5 patches to 1.2.0
        // 1.2.0 patches to 1.2.1
        if (this.prerelease.length === 0) {
          this.patch++
        }
        this.prerelease = []
        break
      // This probably shouldn't be used publicly.
      // 1.0.0 'pre' would become 1.0.0-0 which is the wrong direction.
      case 'pre': {
        const base = Number(identifierBase) ? 1 : 0

        if (this.prerelease.length === 0) {
          this.prerelease = [base]
        } else {
          let i = this.prerelease.length
          while (--i >= 0) {
            if (typeof this.prerelease[i] === 'number') {
              this.prerelease[i]++
              i = -2
            }
          }
          if (i === -1) {
            // didn't increment anything
            if (identifier === this.prerelease.join('.') && identifierBase === false) {
              throw new Error('invalid increment argument: identifier already exists')
            }
            this.prerelease.push(base)
          }
        }
        if (identifier) {
          // 1.2.0-beta.1 bumps to 1.2.0-beta.2,
          // 1.2.0-beta.fooblz or 1.2.0-beta bumps to 1.2.0-beta.0
          let prerelease = [identifier, base]
          if (identifierBase === false) {
            prerelease = [identifier]
          }
          if (isPrereleaseIdentifier(this.prerelease, identifier)) {
            const prereleaseBase = this.prerelease[identifier.split('.').length]
            if (isNaN(prereleaseBase)) {
              this.prerelease = prerelease
            }
          } else {
            this.prerelease = prerelease
          }
        }
        break
      }
      default:
        throw new Error(`invalid increment argument: ${release}`)
    }
    this.raw = this.format()
    if (this.build.length) {
      this.raw += `+${this.build.join('.')}`
    }
    return this
  }
}

module.exports = SemVer


/***/ }),

/***/ 6353:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const SemVer = __nccwpck_require__(7163)
const parse = (version, options, throwErrors = false) => {
  if (version instanceof SemVer) {
    return version
  }
  try {
    return new SemVer(version, options)
  } catch (er) {
    if (!throwErrors) {
      return null
    }
    throw er
  }
}

module.exports = parse


/***/ }),

/***/ 8780:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const parse = __nccwpck_require__(6353)
const valid = (version, options) => {
  const v = parse(version, options)
  return v ? v.version : null
}
module.exports = valid


/***/ }),

/***/ 5101:
/***/ ((module) => {



// Note: this is the semver.org version of the spec that it implements
// Not necessarily the package version of this code.
const SEMVER_SPEC_VERSION = '2.0.0'

const MAX_LENGTH = 256
const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER ||
/* istanbul ignore next */ 9007199254740991

// Max safe segment length for coercion.
const MAX_SAFE_COMPONENT_LENGTH = 16

// Max safe length for a build identifier. The max length minus 6 characters for
// the shortest version with a build 0.0.0+BUILD.
const MAX_SAFE_BUILD_LENGTH = MAX_LENGTH - 6

// ECMAScript whitespace and line terminators matched by \s.
const WHITESPACE_CHARACTERS = [
  '\t',
  '\n',
  '\v',
  '\f',
  '\r',
  ' ',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u2001',
  '\u2002',
  '\u2003',
  '\u2004',
  '\u2005',
  '\u2006',
  '\u2007',
  '\u2008',
  '\u2009',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
]

const RELEASE_TYPES = [
  'major',
  'premajor',
  'minor',
  'preminor',
  'patch',
  'prepatch',
  'prerelease',
]

module.exports = {
  MAX_LENGTH,
  MAX_SAFE_COMPONENT_LENGTH,
  MAX_SAFE_BUILD_LENGTH,
  MAX_SAFE_INTEGER,
  WHITESPACE_CHARACTERS,
  RELEASE_TYPES,
  SEMVER_SPEC_VERSION,
  FLAG_INCLUDE_PRERELEASE: 0b001,
  FLAG_LOOSE: 0b010,
}


/***/ }),

/***/ 1159:
/***/ ((module) => {



const debug = (
  typeof process === 'object' &&
  process.env &&
  process.env.NODE_DEBUG &&
  /\bsemver\b/i.test(process.env.NODE_DEBUG)
) ? (...args) => console.error('SEMVER', ...args)
  : () => {}

module.exports = debug


/***/ }),

/***/ 3348:
/***/ ((module) => {



const numeric = /^[0-9]+$/
const compareIdentifiers = (a, b) => {
  if (typeof a === 'number' && typeof b === 'number') {
    return a === b ? 0 : a < b ? -1 : 1
  }

  const anum = numeric.test(a)
  const bnum = numeric.test(b)

  if (anum && bnum) {
    a = +a
    b = +b
  }

  return a === b ? 0
    : (anum && !bnum) ? -1
    : (bnum && !anum) ? 1
    : a < b ? -1
    : 1
}

const rcompareIdentifiers = (a, b) => compareIdentifiers(b, a)

module.exports = {
  compareIdentifiers,
  rcompareIdentifiers,
}


/***/ }),

/***/ 356:
/***/ ((module) => {



// parse out just the options we care about
const looseOption = Object.freeze({ loose: true })
const emptyOpts = Object.freeze({ })
const parseOptions = options => {
  if (!options) {
    return emptyOpts
  }

  if (typeof options !== 'object') {
    return looseOption
  }

  return options
}
module.exports = parseOptions


/***/ }),

/***/ 5471:
/***/ ((module, exports, __nccwpck_require__) => {



const {
  MAX_SAFE_COMPONENT_LENGTH,
  MAX_SAFE_BUILD_LENGTH,
  MAX_LENGTH,
} = __nccwpck_require__(5101)
const debug = __nccwpck_require__(1159)
exports = module.exports = {}

// The actual regexps go on exports.re
const re = exports.re = []
const safeRe = exports.safeRe = []
const src = exports.src = []
const safeSrc = exports.safeSrc = []
const t = exports.t = {}
let R = 0

const LETTERDASHNUMBER = '[a-zA-Z0-9-]'

// Replace some greedy regex tokens to prevent regex dos issues. These regex are
// used internally via the safeRe object since all inputs in this library get
// normalized first to trim and collapse all extra whitespace. The original
// regexes are exported for userland consumption and lower level usage. A
// future breaking change could export the safer regex only with a note that
// all input should have extra whitespace removed.
const safeRegexReplacements = [
  ['\\s', 1],
  ['\\d', MAX_LENGTH],
  [LETTERDASHNUMBER, MAX_SAFE_BUILD_LENGTH],
]

const makeSafeRegex = (value) => {
  for (const [token, max] of safeRegexReplacements) {
    value = value
      .split(`${token}*`).join(`${token}{0,${max}}`)
      .split(`${token}+`).join(`${token}{1,${max}}`)
  }
  return value
}

const createToken = (name, value, isGlobal) => {
  const safe = makeSafeRegex(value)
  const index = R++
  debug(name, index, value)
  t[name] = index
  src[index] = value
  safeSrc[index] = safe
  re[index] = new RegExp(value, isGlobal ? 'g' : undefined)
  safeRe[index] = new RegExp(safe, isGlobal ? 'g' : undefined)
}

// The following Regular Expressions can be used for tokenizing,
// validating, and parsing SemVer version strings.

// ## Numeric Identifier
// A single `0`, or a non-zero digit followed by zero or more digits.

createToken('NUMERICIDENTIFIER', '0|[1-9]\\d*')
createToken('NUMERICIDENTIFIERLOOSE', '\\d+')

// ## Non-numeric Identifier
// Zero or more digits, followed by a letter or hyphen, and then zero or
// more letters, digits, or hyphens.

createToken('NONNUMERICIDENTIFIER', `\\d*[a-zA-Z-]${LETTERDASHNUMBER}*`)

// ## Main Version
// Three dot-separated numeric identifiers.

createToken('MAINVERSION', `(${src[t.NUMERICIDENTIFIER]})\\.` +
                   `(${src[t.NUMERICIDENTIFIER]})\\.` +
                   `(${src[t.NUMERICIDENTIFIER]})`)

createToken('MAINVERSIONLOOSE', `(${src[t.NUMERICIDENTIFIERLOOSE]})\\.` +
                        `(${src[t.NUMERICIDENTIFIERLOOSE]})\\.` +
                        `(${src[t.NUMERICIDENTIFIERLOOSE]})`)

// ## Pre-release Version Identifier
// A numeric identifier, or a non-numeric identifier.
// Non-numeric identifiers include numeric identifiers but can be longer.
// Therefore non-numeric identifiers must go first.

createToken('PRERELEASEIDENTIFIER', `(?:${src[t.NONNUMERICIDENTIFIER]
}|${src[t.NUMERICIDENTIFIER]})`)

createToken('PRERELEASEIDENTIFIERLOOSE', `(?:${src[t.NONNUMERICIDENTIFIER]
}|${src[t.NUMERICIDENTIFIERLOOSE]})`)

// ## Pre-release Version
// Hyphen, followed by one or more dot-separated pre-release version
// identifiers.

createToken('PRERELEASE', `(?:-(${src[t.PRERELEASEIDENTIFIER]
}(?:\\.${src[t.PRERELEASEIDENTIFIER]})*))`)

createToken('PRERELEASELOOSE', `(?:-?(${src[t.PRERELEASEIDENTIFIERLOOSE]
}(?:\\.${src[t.PRERELEASEIDENTIFIERLOOSE]})*))`)

// ## Build Metadata Identifier
// Any combination of digits, letters, or hyphens.

createToken('BUILDIDENTIFIER', `${LETTERDASHNUMBER}+`)

// ## Build Metadata
// Plus sign, followed by one or more period-separated build metadata
// identifiers.

createToken('BUILD', `(?:\\+(${src[t.BUILDIDENTIFIER]
}(?:\\.${src[t.BUILDIDENTIFIER]})*))`)

// ## Full Version String
// A main version, followed optionally by a pre-release version and
// build metadata.

// Note that the only major, minor, patch, and pre-release sections of
// the version string are capturing groups.  The build metadata is not a
// capturing group, because it should not ever be used in version
// comparison.

createToken('FULLPLAIN', `v?${src[t.MAINVERSION]
}${src[t.PRERELEASE]}?${
  src[t.BUILD]}?`)

createToken('FULL', `^${src[t.FULLPLAIN]}$`)

// like full, but allows v1.2.3 and =1.2.3, which people do sometimes.
// also, 1.0.0alpha1 (prerelease without the hyphen) which is pretty
// common in the npm registry.
createToken('LOOSEPLAIN', `[v=\\s]*${src[t.MAINVERSIONLOOSE]
}${src[t.PRERELEASELOOSE]}?${
  src[t.BUILD]}?`)

createToken('LOOSE', `^${src[t.LOOSEPLAIN]}$`)

createToken('GTLT', '((?:<|>)?=?)')

// Something like "2.*" or "1.2.x".
// Note that "x.x" is a valid xRange identifier, meaning "any version"
// Only the first item is strictly required.
createToken('XRANGEIDENTIFIERLOOSE', `${src[t.NUMERICIDENTIFIERLOOSE]}|x|X|\\*`)
createToken('XRANGEIDENTIFIER', `${src[t.NUMERICIDENTIFIER]}|x|X|\\*`)

createToken('XRANGEPLAIN', `[v=\\s]*(${src[t.XRANGEIDENTIFIER]})` +
                   `(?:\\.(${src[t.XRANGEIDENTIFIER]})` +
                   `(?:\\.(${src[t.XRANGEIDENTIFIER]})` +
                   `(?:${src[t.PRERELEASE]})?${
                     src[t.BUILD]}?` +
                   `)?)?`)

createToken('XRANGEPLAINLOOSE', `[v=\\s]*(${src[t.XRANGEIDENTIFIERLOOSE]})` +
                        `(?:\\.(${src[t.XRANGEIDENTIFIERLOOSE]})` +
                        `(?:\\.(${src[t.XRANGEIDENTIFIERLOOSE]})` +
                        `(?:${src[t.PRERELEASELOOSE]})?${
                          src[t.BUILD]}?` +
                        `)?)?`)

createToken('XRANGE', `^${src[t.GTLT]}\\s*${src[t.XRANGEPLAIN]}$`)
createToken('XRANGELOOSE', `^${src[t.GTLT]}\\s*${src[t.XRANGEPLAINLOOSE]}$`)

// Coercion.
// Extract anything that could conceivably be a part of a valid semver
createToken('COERCEPLAIN', `${'(^|[^\\d])' +
              '(\\d{1,'}${MAX_SAFE_COMPONENT_LENGTH}})` +
              `(?:\\.(\\d{1,${MAX_SAFE_COMPONENT_LENGTH}}))?` +
              `(?:\\.(\\d{1,${MAX_SAFE_COMPONENT_LENGTH}}))?`)
createToken('COERCE', `${src[t.COERCEPLAIN]}(?:$|[^\\d])`)
createToken('COERCEFULL', src[t.COERCEPLAIN] +
              `(?:${src[t.PRERELEASE]})?` +
              `(?:${src[t.BUILD]})?` +
              `(?:$|[^\\d])`)
createToken('COERCERTL', src[t.COERCE], true)
createToken('COERCERTLFULL', src[t.COERCEFULL], true)

// Tilde ranges.
// Meaning is "reasonably at or greater than"
createToken('LONETILDE', '(?:~>?)')

createToken('TILDETRIM', `(\\s*)${src[t.LONETILDE]}\\s+`, true)
exports.tildeTrimReplace = '$1~'

createToken('TILDE', `^${src[t.LONETILDE]}${src[t.XRANGEPLAIN]}$`)
createToken('TILDELOOSE', `^${src[t.LONETILDE]}${src[t.XRANGEPLAINLOOSE]}$`)

// Caret ranges.
// Meaning is "at least and backwards compatible with"
createToken('LONECARET', '(?:\\^)')

createToken('CARETTRIM', `(\\s*)${src[t.LONECARET]}\\s+`, true)
exports.caretTrimReplace = '$1^'

createToken('CARET', `^${src[t.LONECARET]}${src[t.XRANGEPLAIN]}$`)
createToken('CARETLOOSE', `^${src[t.LONECARET]}${src[t.XRANGEPLAINLOOSE]}$`)

// A simple gt/lt/eq thing, or just "" to indicate "any version"
createToken('COMPARATORLOOSE', `^${src[t.GTLT]}\\s*(${src[t.LOOSEPLAIN]})$|^$`)
createToken('COMPARATOR', `^${src[t.GTLT]}\\s*(${src[t.FULLPLAIN]})$|^$`)

// An expression to strip any whitespace between the gtlt and the thing
// it modifies, so that `> 1.2.3` ==> `>1.2.3`
createToken('COMPARATORTRIM', `(\\s*)${src[t.GTLT]
}\\s*(${src[t.LOOSEPLAIN]}|${src[t.XRANGEPLAIN]})`, true)
exports.comparatorTrimReplace = '$1$2$3'

// Something like `1.2.3 - 1.2.4`
// Note that these all use the loose form, because they'll be
// checked against either the strict or loose comparator form
// later.
createToken('HYPHENRANGE', `^\\s*(${src[t.XRANGEPLAIN]})` +
                   `\\s+-\\s+` +
                   `(${src[t.XRANGEPLAIN]})` +
                   `\\s*$`)

createToken('HYPHENRANGELOOSE', `^\\s*(${src[t.XRANGEPLAINLOOSE]})` +
                        `\\s+-\\s+` +
                        `(${src[t.XRANGEPLAINLOOSE]})` +
                        `\\s*$`)

// Star ranges basically just allow anything at all.
createToken('STAR', '(<|>)?=?\\s*\\*')
// >=0.0.0 is like a star
createToken('GTE0', '^\\s*>=\\s*0\\.0\\.0\\s*$')
createToken('GTE0PRE', '^\\s*>=\\s*0\\.0\\.0-0\\s*$')


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 4589:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:assert");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 7540:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:console");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3053:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:diagnostics_channel");

/***/ }),

/***/ 610:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns");

/***/ }),

/***/ 8474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 643:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:perf_hooks");

/***/ }),

/***/ 1792:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:querystring");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 1692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 3429:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util/types");

/***/ }),

/***/ 5919:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 3193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

;// CONCATENATED MODULE: ./lib/runner/errors.ts
/**
 * An input the user gave (or failed to give) is wrong. The message names the input,
 * the value received and what was expected; `run()` prints it after its code, without a stack trace,
 * because the stack is noise to the person who has to fix their workflow file.
 */
class errors_InputError extends Error {
    code;
    input;
    value;
    expected;
    constructor(code, input, value, expected) {
        const received = value === undefined || value === '' ? 'is missing' : `has value '${truncate(value)}'`;
        super(`Input '${input}' ${received}: expected ${expected}.`);
        this.name = 'InputError';
        this.code = code;
        this.input = input;
        this.value = value;
        this.expected = expected;
    }
}
/**
 * A failure the action detected and can explain (rollout failed, check failed, plan stale).
 * Printed without a stack trace, after its code; `details` are extra lines for the log.
 */
class ActionFailure extends Error {
    code;
    details;
    constructor(code, message, details = []) {
        super(message);
        this.name = 'ActionFailure';
        this.code = code;
        this.details = details;
    }
}
function truncate(value, max = 200) {
    return value.length > max ? `${value.slice(0, max)}…` : value;
}
/** A readable one-line description of anything thrown, including AWS SDK service errors. */
function describeError(err) {
    if (err instanceof errors_InputError || err instanceof ActionFailure)
        return err.message;
    if (err instanceof Error) {
        const meta = err.$metadata;
        const parts = [`${err.name}: ${err.message}`];
        if (meta?.httpStatusCode)
            parts.push(`(HTTP ${meta.httpStatusCode}${meta.requestId ? `, request ${meta.requestId}` : ''})`);
        return parts.join(' ');
    }
    return String(err);
}
/** An AWS service error (the SDK's `$metadata`): the runbook's AWS errors table. */
const AWS_ERROR = 'GANTRY-AWS-001';
/** An AWS call cut off at the action's deadline (lib/aws/deadline.ts's DeadlineExceeded). */
const AWS_DEADLINE = 'GANTRY-AWS-002';
/** Anything else gantry did not foresee: a bug, or an answer nobody expected. */
const UNEXPECTED_ERROR = 'GANTRY-RUNNER-001';
/** The code of anything thrown: gantry's own errors carry one; others get the AWS or the unexpected-error code. */
function failureCode(err) {
    if (err instanceof errors_InputError || err instanceof ActionFailure)
        return err.code;
    if (err instanceof Error && err.name === 'DeadlineExceeded')
        return AWS_DEADLINE;
    if (err instanceof Error && err.$metadata !== undefined)
        return AWS_ERROR;
    return UNEXPECTED_ERROR;
}
/** How a failure is printed (the step's error, the job summary): `<code>: <description>`. */
function describeFailure(err) {
    return `${failureCode(err)}: ${describeError(err)}`;
}

;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
var external_node_os_default = /*#__PURE__*/__nccwpck_require__.n(external_node_os_namespaceObject);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: ./lib/runner/protocol.ts
/**
 * The GitHub runner's protocol for actions, as documented in "Workflow commands for GitHub
 * Actions": `::command prop=value::message` lines on stdout, and the environment files
 * (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY). It is what `@actions/core` writes, byte for byte
 * (same escaping, same `name<<ghadelimiter_<uuid>` form), without `@actions/core`'s OIDC
 * client, which pulls ~1 MB of HTTP client into every bundle and costs ~70 ms at start-up
 * (the budget is 150 ms from process start to the first AWS request). A test checks the
 * output against `@actions/core` itself.
 */



function escapeData(value) {
    return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(value) {
    return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
function formatCommand(command, properties, message) {
    const props = Object.entries(properties)
        .filter(([, v]) => v !== undefined && v !== '')
        .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
        .join(',');
    return `::${command}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}
function issueCommand(command, properties, message) {
    process.stdout.write(formatCommand(command, properties, message) + external_node_os_namespaceObject.EOL);
}
/** `name<<delimiter` … `delimiter`, the multi-line safe form of an environment file entry. */
function formatFileEntry(name, value, delimiter = `ghadelimiter_${(0,external_node_crypto_.randomUUID)()}`) {
    if (name.includes(delimiter) || value.includes(delimiter)) {
        throw new Error(`Unexpected input: name or value contains the delimiter ${delimiter}`);
    }
    return `${name}<<${delimiter}${external_node_os_namespaceObject.EOL}${value}${external_node_os_namespaceObject.EOL}${delimiter}${external_node_os_namespaceObject.EOL}`;
}
function setOutput(name, value) {
    const file = process.env.GITHUB_OUTPUT;
    if (file)
        (0,external_node_fs_namespaceObject.appendFileSync)(file, formatFileEntry(name, value), 'utf8');
    else {
        process.stdout.write(external_node_os_namespaceObject.EOL);
        issueCommand('set-output', { name }, value);
    }
}
function appendSummary(markdown) {
    const file = process.env.GITHUB_STEP_SUMMARY;
    if (!file)
        return false;
    (0,external_node_fs_namespaceObject.appendFileSync)(file, markdown + external_node_os_namespaceObject.EOL, 'utf8');
    return true;
}

;// CONCATENATED MODULE: ./lib/runner/github.ts
/**
 * The only shared module that talks to the runner: outputs, the job summary, log groups,
 * annotations, masking, and `run()` — the one try/catch of every action. It speaks the
 * runner protocol through lib/runner/protocol.ts (what `@actions/core` writes; see there why).
 */



function annotationProperties(a) {
    return a ? { title: a.title, file: a.file, line: a.line } : {};
}
const core = {
    info: (message) => process.stdout.write(message + external_node_os_namespaceObject.EOL),
    debug: (message) => issueCommand('debug', {}, message),
    setFailed: (message) => {
        process.exitCode = 1;
        issueCommand('error', {}, message);
    },
};
const coreLogger = {
    info: (m) => core.info(m),
    warning: (m, a) => issueCommand('warning', annotationProperties(a), m),
    error: (m, a) => issueCommand('error', annotationProperties(a), m),
    debug: (m) => core.debug(m),
    group: async (name, fn) => {
        issueCommand('group', {}, name);
        try {
            return await fn();
        }
        finally {
            issueCommand('endgroup', {}, '');
        }
    },
    secret: (v) => {
        if (v)
            issueCommand('add-mask', {}, v);
    },
};
function setOutputs(outputs) {
    for (const [name, value] of Object.entries(outputs)) {
        if (value !== undefined)
            setOutput(name, String(value));
    }
}
/** Append markdown to the job summary; a no-op outside the runner (no GITHUB_STEP_SUMMARY). */
async function writeSummary(markdown) {
    if (!appendSummary(markdown))
        core.debug('GITHUB_STEP_SUMMARY is not set; summary not written');
}
/** Outputs, then the job summary (each only when given). */
async function writeReport(report) {
    if (report.outputs)
        setOutputs(report.outputs);
    if (report.summary !== undefined)
        await writeSummary(report.summary);
}
/**
 * The common tail of every action's main(): runs `work`, then writes `report(result)` — outputs,
 * then the job summary — and throws its failure, if any. When `work` throws, `reportError(err)`
 * says what is still owed (an error summary; outputs once something changed) and is written
 * before the error (or the failure it gives instead) fails the step. Errors of `report` itself
 * are not reported again.
 */
async function reportOutcome(work, tail) {
    let result;
    try {
        result = await work();
    }
    catch (err) {
        const owed = (await tail.reportError?.(err)) ?? {};
        await writeReport(owed);
        throw owed.failure ?? err;
    }
    const report = await tail.report(result);
    await writeReport(report);
    if (report.failure)
        throw report.failure;
    return result;
}
/**
 * Run an action's main function: any thrown error fails the step with a readable message that
 * starts with its failure code (lib/runner/errors.ts).
 * Input errors and explained failures print without a stack; unexpected errors keep theirs
 * in the debug log.
 */
async function run(main) {
    try {
        await main();
    }
    catch (err) {
        if (err instanceof ActionFailure)
            for (const line of err.details)
                core.info(line);
        if (!(err instanceof errors_InputError || err instanceof ActionFailure) && err instanceof Error && err.stack) {
            core.debug(err.stack);
        }
        core.setFailed(describeFailure(err));
    }
}

;// CONCATENATED MODULE: ./lib/util/secrets.ts
/**
 * What to mask of a secret read as JSON (a Secrets Manager secret, a sensitive Terraform output):
 * every string at any depth and, with `numbers`, every number as printed, so that one field
 * printed on its own is masked too — keys are not (they are names, shown in reports).
 */
/** Shorter values are not masked on their own: masking `on`, `dev` or `1` would blank out every log line and protect nothing. */
const MIN_MASKED_LENGTH = 4;
function maskableStrings(value, options = {}) {
    const found = new Set();
    const visit = (v) => {
        if (typeof v === 'string')
            found.add(v);
        else if (options.numbers && typeof v === 'number')
            found.add(String(v));
        else if (Array.isArray(v))
            v.forEach(visit);
        else if (v !== null && typeof v === 'object')
            Object.values(v).forEach(visit);
    };
    visit(value);
    return [...found].filter((s) => s.length >= MIN_MASKED_LENGTH);
}
/**
 * `text` with every one of `secrets` replaced by `***`, longest first (so a secret containing
 * another is replaced whole). For what the runner does not mask: the job summary.
 */
function redact(text, secrets) {
    let result = text;
    for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
        if (secret !== '')
            result = result.split(secret).join('***');
    }
    return result;
}
/**
 * A function that redacts each of `secrets` (at least MIN_MASKED_LENGTH long) and the password of
 * any `scheme://user:password@host` URL (`scheme://:password@host` too: an empty user name, as Redis URLs have): for text gantry shows from elsewhere (a task's log lines),
 * which the runner masks in the log but which would reach the job summary as it is.
 */
function redactor(secrets = []) {
    const values = [...new Set(secrets)].filter((s) => s.length >= MIN_MASKED_LENGTH);
    return (text) => redact(text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, '$1***@'), values);
}
/** Environment variable names whose plain values are treated as secrets when gantry shows a task's logs. */
const SECRET_LIKE_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

;// CONCATENATED MODULE: external "node:fs/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_namespaceObject);
;// CONCATENATED MODULE: ./actions/terraform/src/plan-json.ts
/**
 * Reading Terraform's machine-readable plan (`terraform show -json`) and outputs
 * (`terraform output -json`). Counting from `resource_changes` instead of parsing the text
 * plan is what keeps gantry free of the text-noise false alarms the peers suffered.
 * Pure: no I/O.
 */

function classifyActions(actions, importing = false) {
    const key = [...actions].sort().join(',');
    switch (key) {
        case 'create':
            return 'create';
        case 'update':
            return 'update';
        case 'delete':
            return 'delete';
        case 'create,delete':
            return 'replace';
        case 'read':
            return 'read';
        case 'forget':
            return 'forget';
        case 'no-op':
        case '':
            return importing ? 'import' : 'no-op';
        default:
            // Future Terraform action combinations: treat anything that removes as a replacement.
            return actions.includes('delete') ? 'replace' : 'update';
    }
}
/** `item[2]` before `item[10]`. */
const ADDRESS_ORDER = new Intl.Collator('en', { numeric: true });
/** Reviewers look for destroys first. */
const ACTION_ORDER = ['delete', 'replace', 'forget', 'update', 'create', 'import', 'read', 'no-op'];
function summarizePlan(plan) {
    if (!isRecord(plan))
        throw new Error('terraform show -json did not print a JSON object');
    const counts = { add: 0, change: 0, destroy: 0, replace: 0, read: 0 };
    const resources = [];
    const rawChanges = plan.resource_changes ?? [];
    if (!Array.isArray(rawChanges))
        throw new Error('terraform show -json: resource_changes is not a list');
    for (const [index, raw] of rawChanges.entries()) {
        // Described by position and shape only: a resource change holds attribute values, sensitive ones included.
        if (!isRecord(raw))
            throw new Error(`terraform show -json: resource_changes[${index}] is not an object`);
        if (typeof raw.address !== 'string')
            throw new Error(`terraform show -json: resource_changes[${index}] has no address`);
        if (!isRecord(raw.change))
            throw new Error(`terraform show -json: resource_changes[${index}] (${raw.address}) has no change object`);
        const action = classifyActions(stringList(raw.change.actions), raw.change.importing !== undefined && raw.change.importing !== null);
        if (action === 'no-op')
            continue;
        if (action === 'create')
            counts.add += 1;
        else if (action === 'update')
            counts.change += 1;
        else if (action === 'delete')
            counts.destroy += 1;
        else if (action === 'replace')
            counts.replace += 1;
        else if (action === 'read')
            counts.read += 1;
        resources.push({ address: raw.address, action, reason: typeof raw.action_reason === 'string' ? raw.action_reason : undefined });
    }
    resources.sort((a, b) => ACTION_ORDER.indexOf(a.action) - ACTION_ORDER.indexOf(b.action) || ADDRESS_ORDER.compare(a.address, b.address));
    const outputs = [];
    const rawOutputs = isRecord(plan.output_changes) ? plan.output_changes : {};
    for (const [name, raw] of Object.entries(rawOutputs)) {
        if (!isRecord(raw))
            continue;
        const action = classifyActions(stringList(raw.actions));
        if (action === 'no-op')
            continue;
        outputs.push({ name, action, sensitive: raw.before_sensitive === true || raw.after_sensitive === true });
    }
    outputs.sort((a, b) => a.name.localeCompare(b.name));
    return { counts, resources, outputs };
}
/**
 * JSON that Terraform printed (`show -json`, `output -json`). JSON.parse's own error quotes
 * the text, and this text holds variable and output values, sensitive ones included: the
 * error says only how long it was and where parsing stopped.
 */
function parseTerraformJson(text, command) {
    try {
        return JSON.parse(text);
    }
    catch (err) {
        if (text.trim() === '')
            throw new Error(`${command} printed nothing`, { cause: err });
        const message = err.message;
        const position = /at position (\d+)/.exec(message)?.[1];
        let where = '';
        if (/end of JSON input/i.test(message) || (position !== undefined && Number(position) >= text.length))
            where = 'it ends before the JSON is complete; ';
        else if (position !== undefined)
            where = `parsing stopped at character ${Number(position) + 1}; `;
        throw new Error(`${command} printed ${text.length} characters that are not valid JSON (${where}the output is not shown: it holds variable values)`, { cause: err });
    }
}
/** Resource changes that apply would make (reads are not changes to the infrastructure). */
function changeCount(counts) {
    return counts.add + counts.change + counts.destroy + counts.replace;
}
/** `1 to add, 0 to change, 0 to destroy, 1 to replace` (+ reads when there are any). */
function describeCounts(counts) {
    const parts = [`${counts.add} to add`, `${counts.change} to change`, `${counts.destroy} to destroy`, `${counts.replace} to replace`];
    if (counts.read > 0)
        parts.push(`${counts.read} to read`);
    return parts.join(', ');
}
/** After apply: `6 added, 1 changed, 0 destroyed, 1 replaced`. */
function describeApplied(counts) {
    return `${counts.add} added, ${counts.change} changed, ${counts.destroy} destroyed, ${counts.replace} replaced`;
}
function parseOutputs(json) {
    if (!isRecord(json))
        throw new Error('terraform output -json did not print a JSON object');
    return Object.entries(json)
        .map(([name, raw]) => {
        const record = isRecord(raw) ? raw : {};
        return { name, sensitive: record.sensitive === true, type: record.type, value: record.value };
    })
        .sort((a, b) => a.name.localeCompare(b.name));
}
/**
 * The strings to mask for one sensitive value: the value as printed (strings raw, anything
 * else as JSON) and every string or number inside it, so a part of a map cannot leak either.
 */
function secretStrings(value) {
    const whole = value !== null && typeof value === 'object' ? [JSON.stringify(value)] : [];
    return [...new Set([...whole, ...maskableStrings(value, { numbers: true })])].filter((s) => s.length >= MIN_MASKED_LENGTH);
}
function stringList(value) {
    return Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [];
}
function isRecord(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// EXTERNAL MODULE: external "string_decoder"
var external_string_decoder_ = __nccwpck_require__(3193);
// EXTERNAL MODULE: external "os"
var external_os_ = __nccwpck_require__(857);
// EXTERNAL MODULE: external "events"
var external_events_ = __nccwpck_require__(4434);
;// CONCATENATED MODULE: external "child_process"
const external_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("child_process");
;// CONCATENATED MODULE: external "path"
const external_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");
// EXTERNAL MODULE: external "assert"
var external_assert_ = __nccwpck_require__(2613);
// EXTERNAL MODULE: external "fs"
var external_fs_ = __nccwpck_require__(9896);
;// CONCATENATED MODULE: ./node_modules/@actions/io/lib/io-util.js
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const { chmod, copyFile, lstat, mkdir, open: io_util_open, readdir, rename, rm, rmdir, stat, symlink, unlink } = external_fs_.promises;
// export const {open} = 'fs'
const IS_WINDOWS = process.platform === 'win32';
/**
 * Custom implementation of readlink to ensure Windows junctions
 * maintain trailing backslash for backward compatibility with Node.js < 24
 *
 * In Node.js 20, Windows junctions (directory symlinks) always returned paths
 * with trailing backslashes. Node.js 24 removed this behavior, which breaks
 * code that relied on this format for path operations.
 *
 * This implementation restores the Node 20 behavior by adding a trailing
 * backslash to all junction results on Windows.
 */
function readlink(fsPath) {
    return __awaiter(this, void 0, void 0, function* () {
        const result = yield fs.promises.readlink(fsPath);
        // On Windows, restore Node 20 behavior: add trailing backslash to all results
        // since junctions on Windows are always directory links
        if (IS_WINDOWS && !result.endsWith('\\')) {
            return `${result}\\`;
        }
        return result;
    });
}
// See https://github.com/nodejs/node/blob/d0153aee367422d0858105abec186da4dff0a0c5/deps/uv/include/uv/win.h#L691
const UV_FS_O_EXLOCK = 0x10000000;
const READONLY = external_fs_.constants.O_RDONLY;
function exists(fsPath) {
    return __awaiter(this, void 0, void 0, function* () {
        try {
            yield stat(fsPath);
        }
        catch (err) {
            if (err.code === 'ENOENT') {
                return false;
            }
            throw err;
        }
        return true;
    });
}
function isDirectory(fsPath_1) {
    return __awaiter(this, arguments, void 0, function* (fsPath, useStat = false) {
        const stats = useStat ? yield stat(fsPath) : yield lstat(fsPath);
        return stats.isDirectory();
    });
}
/**
 * On OSX/Linux, true if path starts with '/'. On Windows, true for paths like:
 * \, \hello, \\hello\share, C:, and C:\hello (and corresponding alternate separator cases).
 */
function isRooted(p) {
    p = normalizeSeparators(p);
    if (!p) {
        throw new Error('isRooted() parameter "p" cannot be empty');
    }
    if (IS_WINDOWS) {
        return (p.startsWith('\\') || /^[A-Z]:/i.test(p) // e.g. \ or \hello or \\hello
        ); // e.g. C: or C:\hello
    }
    return p.startsWith('/');
}
/**
 * Best effort attempt to determine whether a file exists and is executable.
 * @param filePath    file path to check
 * @param extensions  additional file extensions to try
 * @return if file exists and is executable, returns the file path. otherwise empty string.
 */
function tryGetExecutablePath(filePath, extensions) {
    return __awaiter(this, void 0, void 0, function* () {
        let stats = undefined;
        try {
            // test file exists
            stats = yield stat(filePath);
        }
        catch (err) {
            if (err.code !== 'ENOENT') {
                // eslint-disable-next-line no-console
                console.log(`Unexpected error attempting to determine if executable file exists '${filePath}': ${err}`);
            }
        }
        if (stats && stats.isFile()) {
            if (IS_WINDOWS) {
                // on Windows, test for valid extension
                const upperExt = external_path_namespaceObject.extname(filePath).toUpperCase();
                if (extensions.some(validExt => validExt.toUpperCase() === upperExt)) {
                    return filePath;
                }
            }
            else {
                if (isUnixExecutable(stats)) {
                    return filePath;
                }
            }
        }
        // try each extension
        const originalFilePath = filePath;
        for (const extension of extensions) {
            filePath = originalFilePath + extension;
            stats = undefined;
            try {
                stats = yield stat(filePath);
            }
            catch (err) {
                if (err.code !== 'ENOENT') {
                    // eslint-disable-next-line no-console
                    console.log(`Unexpected error attempting to determine if executable file exists '${filePath}': ${err}`);
                }
            }
            if (stats && stats.isFile()) {
                if (IS_WINDOWS) {
                    // preserve the case of the actual file (since an extension was appended)
                    try {
                        const directory = external_path_namespaceObject.dirname(filePath);
                        const upperName = external_path_namespaceObject.basename(filePath).toUpperCase();
                        for (const actualName of yield readdir(directory)) {
                            if (upperName === actualName.toUpperCase()) {
                                filePath = external_path_namespaceObject.join(directory, actualName);
                                break;
                            }
                        }
                    }
                    catch (err) {
                        // eslint-disable-next-line no-console
                        console.log(`Unexpected error attempting to determine the actual case of the file '${filePath}': ${err}`);
                    }
                    return filePath;
                }
                else {
                    if (isUnixExecutable(stats)) {
                        return filePath;
                    }
                }
            }
        }
        return '';
    });
}
function normalizeSeparators(p) {
    p = p || '';
    if (IS_WINDOWS) {
        // convert slashes on Windows
        p = p.replace(/\//g, '\\');
        // remove redundant slashes
        return p.replace(/\\\\+/g, '\\');
    }
    // remove redundant slashes
    return p.replace(/\/\/+/g, '/');
}
// on Mac/Linux, test the execute bit
//     R   W  X  R  W X R W X
//   256 128 64 32 16 8 4 2 1
function isUnixExecutable(stats) {
    return ((stats.mode & 1) > 0 ||
        ((stats.mode & 8) > 0 &&
            process.getgid !== undefined &&
            stats.gid === process.getgid()) ||
        ((stats.mode & 64) > 0 &&
            process.getuid !== undefined &&
            stats.uid === process.getuid()));
}
// Get the path of cmd.exe in windows
function getCmdPath() {
    var _a;
    return (_a = process.env['COMSPEC']) !== null && _a !== void 0 ? _a : `cmd.exe`;
}
//# sourceMappingURL=io-util.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/io/lib/io.js
var io_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};



/**
 * Copies a file or folder.
 * Based off of shelljs - https://github.com/shelljs/shelljs/blob/9237f66c52e5daa40458f94f9565e18e8132f5a6/src/cp.js
 *
 * @param     source    source path
 * @param     dest      destination path
 * @param     options   optional. See CopyOptions.
 */
function cp(source_1, dest_1) {
    return io_awaiter(this, arguments, void 0, function* (source, dest, options = {}) {
        const { force, recursive, copySourceDirectory } = readCopyOptions(options);
        const destStat = (yield ioUtil.exists(dest)) ? yield ioUtil.stat(dest) : null;
        // Dest is an existing file, but not forcing
        if (destStat && destStat.isFile() && !force) {
            return;
        }
        // If dest is an existing directory, should copy inside.
        const newDest = destStat && destStat.isDirectory() && copySourceDirectory
            ? path.join(dest, path.basename(source))
            : dest;
        if (!(yield ioUtil.exists(source))) {
            throw new Error(`no such file or directory: ${source}`);
        }
        const sourceStat = yield ioUtil.stat(source);
        if (sourceStat.isDirectory()) {
            if (!recursive) {
                throw new Error(`Failed to copy. ${source} is a directory, but tried to copy without recursive flag.`);
            }
            else {
                yield cpDirRecursive(source, newDest, 0, force);
            }
        }
        else {
            if (path.relative(source, newDest) === '') {
                // a file cannot be copied to itself
                throw new Error(`'${newDest}' and '${source}' are the same file`);
            }
            yield io_copyFile(source, newDest, force);
        }
    });
}
/**
 * Moves a path.
 *
 * @param     source    source path
 * @param     dest      destination path
 * @param     options   optional. See MoveOptions.
 */
function mv(source_1, dest_1) {
    return io_awaiter(this, arguments, void 0, function* (source, dest, options = {}) {
        if (yield ioUtil.exists(dest)) {
            let destExists = true;
            if (yield ioUtil.isDirectory(dest)) {
                // If dest is directory copy src into dest
                dest = path.join(dest, path.basename(source));
                destExists = yield ioUtil.exists(dest);
            }
            if (destExists) {
                if (options.force == null || options.force) {
                    yield rmRF(dest);
                }
                else {
                    throw new Error('Destination already exists');
                }
            }
        }
        yield mkdirP(path.dirname(dest));
        yield ioUtil.rename(source, dest);
    });
}
/**
 * Remove a path recursively with force
 *
 * @param inputPath path to remove
 */
function rmRF(inputPath) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (ioUtil.IS_WINDOWS) {
            // Check for invalid characters
            // https://docs.microsoft.com/en-us/windows/win32/fileio/naming-a-file
            if (/[*"<>|]/.test(inputPath)) {
                throw new Error('File path must not contain `*`, `"`, `<`, `>` or `|` on Windows');
            }
        }
        try {
            // note if path does not exist, error is silent
            yield ioUtil.rm(inputPath, {
                force: true,
                maxRetries: 3,
                recursive: true,
                retryDelay: 300
            });
        }
        catch (err) {
            throw new Error(`File was unable to be removed ${err}`);
        }
    });
}
/**
 * Make a directory.  Creates the full path with folders in between
 * Will throw if it fails
 *
 * @param   fsPath        path to create
 * @returns Promise<void>
 */
function mkdirP(fsPath) {
    return io_awaiter(this, void 0, void 0, function* () {
        ok(fsPath, 'a path argument must be provided');
        yield ioUtil.mkdir(fsPath, { recursive: true });
    });
}
/**
 * Returns path of a tool had the tool actually been invoked.  Resolves via paths.
 * If you check and the tool does not exist, it will throw.
 *
 * @param     tool              name of the tool
 * @param     check             whether to check if tool exists
 * @returns   Promise<string>   path to tool
 */
function which(tool, check) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (!tool) {
            throw new Error("parameter 'tool' is required");
        }
        // recursive when check=true
        if (check) {
            const result = yield which(tool, false);
            if (!result) {
                if (IS_WINDOWS) {
                    throw new Error(`Unable to locate executable file: ${tool}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also verify the file has a valid extension for an executable file.`);
                }
                else {
                    throw new Error(`Unable to locate executable file: ${tool}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also check the file mode to verify the file is executable.`);
                }
            }
            return result;
        }
        const matches = yield findInPath(tool);
        if (matches && matches.length > 0) {
            return matches[0];
        }
        return '';
    });
}
/**
 * Returns a list of all occurrences of the given tool on the system path.
 *
 * @returns   Promise<string[]>  the paths of the tool
 */
function findInPath(tool) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (!tool) {
            throw new Error("parameter 'tool' is required");
        }
        // build the list of extensions to try
        const extensions = [];
        if (IS_WINDOWS && process.env['PATHEXT']) {
            for (const extension of process.env['PATHEXT'].split(external_path_namespaceObject.delimiter)) {
                if (extension) {
                    extensions.push(extension);
                }
            }
        }
        // if it's rooted, return it if exists. otherwise return empty.
        if (isRooted(tool)) {
            const filePath = yield tryGetExecutablePath(tool, extensions);
            if (filePath) {
                return [filePath];
            }
            return [];
        }
        // if any path separators, return empty
        if (tool.includes(external_path_namespaceObject.sep)) {
            return [];
        }
        // build the list of directories
        //
        // Note, technically "where" checks the current directory on Windows. From a toolkit perspective,
        // it feels like we should not do this. Checking the current directory seems like more of a use
        // case of a shell, and the which() function exposed by the toolkit should strive for consistency
        // across platforms.
        const directories = [];
        if (process.env.PATH) {
            for (const p of process.env.PATH.split(external_path_namespaceObject.delimiter)) {
                if (p) {
                    directories.push(p);
                }
            }
        }
        // find all matches
        const matches = [];
        for (const directory of directories) {
            const filePath = yield tryGetExecutablePath(external_path_namespaceObject.join(directory, tool), extensions);
            if (filePath) {
                matches.push(filePath);
            }
        }
        return matches;
    });
}
function readCopyOptions(options) {
    const force = options.force == null ? true : options.force;
    const recursive = Boolean(options.recursive);
    const copySourceDirectory = options.copySourceDirectory == null
        ? true
        : Boolean(options.copySourceDirectory);
    return { force, recursive, copySourceDirectory };
}
function cpDirRecursive(sourceDir, destDir, currentDepth, force) {
    return io_awaiter(this, void 0, void 0, function* () {
        // Ensure there is not a run away recursive copy
        if (currentDepth >= 255)
            return;
        currentDepth++;
        yield mkdirP(destDir);
        const files = yield ioUtil.readdir(sourceDir);
        for (const fileName of files) {
            const srcFile = `${sourceDir}/${fileName}`;
            const destFile = `${destDir}/${fileName}`;
            const srcFileStat = yield ioUtil.lstat(srcFile);
            if (srcFileStat.isDirectory()) {
                // Recurse
                yield cpDirRecursive(srcFile, destFile, currentDepth, force);
            }
            else {
                yield io_copyFile(srcFile, destFile, force);
            }
        }
        // Change the mode for the newly created directory
        yield ioUtil.chmod(destDir, (yield ioUtil.stat(sourceDir)).mode);
    });
}
// Buffered file copy
function io_copyFile(srcFile, destFile, force) {
    return io_awaiter(this, void 0, void 0, function* () {
        if ((yield ioUtil.lstat(srcFile)).isSymbolicLink()) {
            // unlink/re-link it
            try {
                yield ioUtil.lstat(destFile);
                yield ioUtil.unlink(destFile);
            }
            catch (e) {
                // Try to override file permission
                if (e.code === 'EPERM') {
                    yield ioUtil.chmod(destFile, '0666');
                    yield ioUtil.unlink(destFile);
                }
                // other errors = it doesn't exist, no work to do
            }
            // Copy over symlink
            const symlinkFull = yield ioUtil.readlink(srcFile);
            yield ioUtil.symlink(symlinkFull, destFile, ioUtil.IS_WINDOWS ? 'junction' : null);
        }
        else if (!(yield ioUtil.exists(destFile)) || force) {
            yield ioUtil.copyFile(srcFile, destFile);
        }
    });
}
//# sourceMappingURL=io.js.map
;// CONCATENATED MODULE: external "timers"
const external_timers_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("timers");
;// CONCATENATED MODULE: ./node_modules/@actions/exec/lib/toolrunner.js
var toolrunner_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};







/* eslint-disable @typescript-eslint/unbound-method */
const toolrunner_IS_WINDOWS = process.platform === 'win32';
/*
 * Class for running command line tools. Handles quoting and arg parsing in a platform agnostic way.
 */
class ToolRunner extends external_events_.EventEmitter {
    constructor(toolPath, args, options) {
        super();
        if (!toolPath) {
            throw new Error("Parameter 'toolPath' cannot be null or empty.");
        }
        this.toolPath = toolPath;
        this.args = args || [];
        this.options = options || {};
    }
    _debug(message) {
        if (this.options.listeners && this.options.listeners.debug) {
            this.options.listeners.debug(message);
        }
    }
    _getCommandString(options, noPrefix) {
        const toolPath = this._getSpawnFileName();
        const args = this._getSpawnArgs(options);
        let cmd = noPrefix ? '' : '[command]'; // omit prefix when piped to a second tool
        if (toolrunner_IS_WINDOWS) {
            // Windows + cmd file
            if (this._isCmdFile()) {
                cmd += toolPath;
                for (const a of args) {
                    cmd += ` ${a}`;
                }
            }
            // Windows + verbatim
            else if (options.windowsVerbatimArguments) {
                cmd += `"${toolPath}"`;
                for (const a of args) {
                    cmd += ` ${a}`;
                }
            }
            // Windows (regular)
            else {
                cmd += this._windowsQuoteCmdArg(toolPath);
                for (const a of args) {
                    cmd += ` ${this._windowsQuoteCmdArg(a)}`;
                }
            }
        }
        else {
            // OSX/Linux - this can likely be improved with some form of quoting.
            // creating processes on Unix is fundamentally different than Windows.
            // on Unix, execvp() takes an arg array.
            cmd += toolPath;
            for (const a of args) {
                cmd += ` ${a}`;
            }
        }
        return cmd;
    }
    _processLineBuffer(data, strBuffer, onLine) {
        try {
            let s = strBuffer + data.toString();
            let n = s.indexOf(external_os_.EOL);
            while (n > -1) {
                const line = s.substring(0, n);
                onLine(line);
                // the rest of the string ...
                s = s.substring(n + external_os_.EOL.length);
                n = s.indexOf(external_os_.EOL);
            }
            return s;
        }
        catch (err) {
            // streaming lines to console is best effort.  Don't fail a build.
            this._debug(`error processing line. Failed with error ${err}`);
            return '';
        }
    }
    _getSpawnFileName() {
        if (toolrunner_IS_WINDOWS) {
            if (this._isCmdFile()) {
                return process.env['COMSPEC'] || 'cmd.exe';
            }
        }
        return this.toolPath;
    }
    _getSpawnArgs(options) {
        if (toolrunner_IS_WINDOWS) {
            if (this._isCmdFile()) {
                let argline = `/D /S /C "${this._windowsQuoteCmdArg(this.toolPath)}`;
                for (const a of this.args) {
                    argline += ' ';
                    argline += options.windowsVerbatimArguments
                        ? a
                        : this._windowsQuoteCmdArg(a);
                }
                argline += '"';
                return [argline];
            }
        }
        return this.args;
    }
    _endsWith(str, end) {
        return str.endsWith(end);
    }
    _isCmdFile() {
        const upperToolPath = this.toolPath.toUpperCase();
        return (this._endsWith(upperToolPath, '.CMD') ||
            this._endsWith(upperToolPath, '.BAT'));
    }
    _windowsQuoteCmdArg(arg) {
        // for .exe, apply the normal quoting rules that libuv applies
        if (!this._isCmdFile()) {
            return this._uvQuoteCmdArg(arg);
        }
        // otherwise apply quoting rules specific to the cmd.exe command line parser.
        // the libuv rules are generic and are not designed specifically for cmd.exe
        // command line parser.
        //
        // for a detailed description of the cmd.exe command line parser, refer to
        // http://stackoverflow.com/questions/4094699/how-does-the-windows-command-interpreter-cmd-exe-parse-scripts/7970912#7970912
        // need quotes for empty arg
        if (!arg) {
            return '""';
        }
        // determine whether the arg needs to be quoted
        const cmdSpecialChars = [
            ' ',
            '\t',
            '&',
            '(',
            ')',
            '[',
            ']',
            '{',
            '}',
            '^',
            '=',
            ';',
            '!',
            "'",
            '+',
            ',',
            '`',
            '~',
            '|',
            '<',
            '>',
            '"'
        ];
        let needsQuotes = false;
        for (const char of arg) {
            if (cmdSpecialChars.some(x => x === char)) {
                needsQuotes = true;
                break;
            }
        }
        // short-circuit if quotes not needed
        if (!needsQuotes) {
            return arg;
        }
        // the following quoting rules are very similar to the rules that by libuv applies.
        //
        // 1) wrap the string in quotes
        //
        // 2) double-up quotes - i.e. " => ""
        //
        //    this is different from the libuv quoting rules. libuv replaces " with \", which unfortunately
        //    doesn't work well with a cmd.exe command line.
        //
        //    note, replacing " with "" also works well if the arg is passed to a downstream .NET console app.
        //    for example, the command line:
        //          foo.exe "myarg:""my val"""
        //    is parsed by a .NET console app into an arg array:
        //          [ "myarg:\"my val\"" ]
        //    which is the same end result when applying libuv quoting rules. although the actual
        //    command line from libuv quoting rules would look like:
        //          foo.exe "myarg:\"my val\""
        //
        // 3) double-up slashes that precede a quote,
        //    e.g.  hello \world    => "hello \world"
        //          hello\"world    => "hello\\""world"
        //          hello\\"world   => "hello\\\\""world"
        //          hello world\    => "hello world\\"
        //
        //    technically this is not required for a cmd.exe command line, or the batch argument parser.
        //    the reasons for including this as a .cmd quoting rule are:
        //
        //    a) this is optimized for the scenario where the argument is passed from the .cmd file to an
        //       external program. many programs (e.g. .NET console apps) rely on the slash-doubling rule.
        //
        //    b) it's what we've been doing previously (by deferring to node default behavior) and we
        //       haven't heard any complaints about that aspect.
        //
        // note, a weakness of the quoting rules chosen here, is that % is not escaped. in fact, % cannot be
        // escaped when used on the command line directly - even though within a .cmd file % can be escaped
        // by using %%.
        //
        // the saving grace is, on the command line, %var% is left as-is if var is not defined. this contrasts
        // the line parsing rules within a .cmd file, where if var is not defined it is replaced with nothing.
        //
        // one option that was explored was replacing % with ^% - i.e. %var% => ^%var^%. this hack would
        // often work, since it is unlikely that var^ would exist, and the ^ character is removed when the
        // variable is used. the problem, however, is that ^ is not removed when %* is used to pass the args
        // to an external program.
        //
        // an unexplored potential solution for the % escaping problem, is to create a wrapper .cmd file.
        // % can be escaped within a .cmd file.
        let reverse = '"';
        let quoteHit = true;
        for (let i = arg.length; i > 0; i--) {
            // walk the string in reverse
            reverse += arg[i - 1];
            if (quoteHit && arg[i - 1] === '\\') {
                reverse += '\\'; // double the slash
            }
            else if (arg[i - 1] === '"') {
                quoteHit = true;
                reverse += '"'; // double the quote
            }
            else {
                quoteHit = false;
            }
        }
        reverse += '"';
        return reverse.split('').reverse().join('');
    }
    _uvQuoteCmdArg(arg) {
        // Tool runner wraps child_process.spawn() and needs to apply the same quoting as
        // Node in certain cases where the undocumented spawn option windowsVerbatimArguments
        // is used.
        //
        // Since this function is a port of quote_cmd_arg from Node 4.x (technically, lib UV,
        // see https://github.com/nodejs/node/blob/v4.x/deps/uv/src/win/process.c for details),
        // pasting copyright notice from Node within this function:
        //
        //      Copyright Joyent, Inc. and other Node contributors. All rights reserved.
        //
        //      Permission is hereby granted, free of charge, to any person obtaining a copy
        //      of this software and associated documentation files (the "Software"), to
        //      deal in the Software without restriction, including without limitation the
        //      rights to use, copy, modify, merge, publish, distribute, sublicense, and/or
        //      sell copies of the Software, and to permit persons to whom the Software is
        //      furnished to do so, subject to the following conditions:
        //
        //      The above copyright notice and this permission notice shall be included in
        //      all copies or substantial portions of the Software.
        //
        //      THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
        //      IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
        //      FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
        //      AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
        //      LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
        //      FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS
        //      IN THE SOFTWARE.
        if (!arg) {
            // Need double quotation for empty argument
            return '""';
        }
        if (!arg.includes(' ') && !arg.includes('\t') && !arg.includes('"')) {
            // No quotation needed
            return arg;
        }
        if (!arg.includes('"') && !arg.includes('\\')) {
            // No embedded double quotes or backslashes, so I can just wrap
            // quote marks around the whole thing.
            return `"${arg}"`;
        }
        // Expected input/output:
        //   input : hello"world
        //   output: "hello\"world"
        //   input : hello""world
        //   output: "hello\"\"world"
        //   input : hello\world
        //   output: hello\world
        //   input : hello\\world
        //   output: hello\\world
        //   input : hello\"world
        //   output: "hello\\\"world"
        //   input : hello\\"world
        //   output: "hello\\\\\"world"
        //   input : hello world\
        //   output: "hello world\\" - note the comment in libuv actually reads "hello world\"
        //                             but it appears the comment is wrong, it should be "hello world\\"
        let reverse = '"';
        let quoteHit = true;
        for (let i = arg.length; i > 0; i--) {
            // walk the string in reverse
            reverse += arg[i - 1];
            if (quoteHit && arg[i - 1] === '\\') {
                reverse += '\\';
            }
            else if (arg[i - 1] === '"') {
                quoteHit = true;
                reverse += '\\';
            }
            else {
                quoteHit = false;
            }
        }
        reverse += '"';
        return reverse.split('').reverse().join('');
    }
    _cloneExecOptions(options) {
        options = options || {};
        const result = {
            cwd: options.cwd || process.cwd(),
            env: options.env || process.env,
            silent: options.silent || false,
            windowsVerbatimArguments: options.windowsVerbatimArguments || false,
            failOnStdErr: options.failOnStdErr || false,
            ignoreReturnCode: options.ignoreReturnCode || false,
            delay: options.delay || 10000
        };
        result.outStream = options.outStream || process.stdout;
        result.errStream = options.errStream || process.stderr;
        return result;
    }
    _getSpawnOptions(options, toolPath) {
        options = options || {};
        const result = {};
        result.cwd = options.cwd;
        result.env = options.env;
        result['windowsVerbatimArguments'] =
            options.windowsVerbatimArguments || this._isCmdFile();
        if (options.windowsVerbatimArguments) {
            result.argv0 = `"${toolPath}"`;
        }
        return result;
    }
    /**
     * Exec a tool.
     * Output will be streamed to the live console.
     * Returns promise with return code
     *
     * @param     tool     path to tool to exec
     * @param     options  optional exec options.  See ExecOptions
     * @returns   number
     */
    exec() {
        return toolrunner_awaiter(this, void 0, void 0, function* () {
            // root the tool path if it is unrooted and contains relative pathing
            if (!isRooted(this.toolPath) &&
                (this.toolPath.includes('/') ||
                    (toolrunner_IS_WINDOWS && this.toolPath.includes('\\')))) {
                // prefer options.cwd if it is specified, however options.cwd may also need to be rooted
                this.toolPath = external_path_namespaceObject.resolve(process.cwd(), this.options.cwd || process.cwd(), this.toolPath);
            }
            // if the tool is only a file name, then resolve it from the PATH
            // otherwise verify it exists (add extension on Windows if necessary)
            this.toolPath = yield which(this.toolPath, true);
            return new Promise((resolve, reject) => toolrunner_awaiter(this, void 0, void 0, function* () {
                this._debug(`exec tool: ${this.toolPath}`);
                this._debug('arguments:');
                for (const arg of this.args) {
                    this._debug(`   ${arg}`);
                }
                const optionsNonNull = this._cloneExecOptions(this.options);
                if (!optionsNonNull.silent && optionsNonNull.outStream) {
                    optionsNonNull.outStream.write(this._getCommandString(optionsNonNull) + external_os_.EOL);
                }
                const state = new ExecState(optionsNonNull, this.toolPath);
                state.on('debug', (message) => {
                    this._debug(message);
                });
                if (this.options.cwd && !(yield exists(this.options.cwd))) {
                    return reject(new Error(`The cwd: ${this.options.cwd} does not exist!`));
                }
                const fileName = this._getSpawnFileName();
                const cp = external_child_process_namespaceObject.spawn(fileName, this._getSpawnArgs(optionsNonNull), this._getSpawnOptions(this.options, fileName));
                let stdbuffer = '';
                if (cp.stdout) {
                    cp.stdout.on('data', (data) => {
                        if (this.options.listeners && this.options.listeners.stdout) {
                            this.options.listeners.stdout(data);
                        }
                        if (!optionsNonNull.silent && optionsNonNull.outStream) {
                            optionsNonNull.outStream.write(data);
                        }
                        stdbuffer = this._processLineBuffer(data, stdbuffer, (line) => {
                            if (this.options.listeners && this.options.listeners.stdline) {
                                this.options.listeners.stdline(line);
                            }
                        });
                    });
                }
                let errbuffer = '';
                if (cp.stderr) {
                    cp.stderr.on('data', (data) => {
                        state.processStderr = true;
                        if (this.options.listeners && this.options.listeners.stderr) {
                            this.options.listeners.stderr(data);
                        }
                        if (!optionsNonNull.silent &&
                            optionsNonNull.errStream &&
                            optionsNonNull.outStream) {
                            const s = optionsNonNull.failOnStdErr
                                ? optionsNonNull.errStream
                                : optionsNonNull.outStream;
                            s.write(data);
                        }
                        errbuffer = this._processLineBuffer(data, errbuffer, (line) => {
                            if (this.options.listeners && this.options.listeners.errline) {
                                this.options.listeners.errline(line);
                            }
                        });
                    });
                }
                cp.on('error', (err) => {
                    state.processError = err.message;
                    state.processExited = true;
                    state.processClosed = true;
                    state.CheckComplete();
                });
                cp.on('exit', (code) => {
                    state.processExitCode = code;
                    state.processExited = true;
                    this._debug(`Exit code ${code} received from tool '${this.toolPath}'`);
                    state.CheckComplete();
                });
                cp.on('close', (code) => {
                    state.processExitCode = code;
                    state.processExited = true;
                    state.processClosed = true;
                    this._debug(`STDIO streams have closed for tool '${this.toolPath}'`);
                    state.CheckComplete();
                });
                state.on('done', (error, exitCode) => {
                    if (stdbuffer.length > 0) {
                        this.emit('stdline', stdbuffer);
                    }
                    if (errbuffer.length > 0) {
                        this.emit('errline', errbuffer);
                    }
                    cp.removeAllListeners();
                    if (error) {
                        reject(error);
                    }
                    else {
                        resolve(exitCode);
                    }
                });
                if (this.options.input) {
                    if (!cp.stdin) {
                        throw new Error('child process missing stdin');
                    }
                    cp.stdin.end(this.options.input);
                }
            }));
        });
    }
}
/**
 * Convert an arg string to an array of args. Handles escaping
 *
 * @param    argString   string of arguments
 * @returns  string[]    array of arguments
 */
function argStringToArray(argString) {
    const args = [];
    let inQuotes = false;
    let escaped = false;
    let arg = '';
    function append(c) {
        // we only escape double quotes.
        if (escaped && c !== '"') {
            arg += '\\';
        }
        arg += c;
        escaped = false;
    }
    for (let i = 0; i < argString.length; i++) {
        const c = argString.charAt(i);
        if (c === '"') {
            if (!escaped) {
                inQuotes = !inQuotes;
            }
            else {
                append(c);
            }
            continue;
        }
        if (c === '\\' && escaped) {
            append(c);
            continue;
        }
        if (c === '\\' && inQuotes) {
            escaped = true;
            continue;
        }
        if (c === ' ' && !inQuotes) {
            if (arg.length > 0) {
                args.push(arg);
                arg = '';
            }
            continue;
        }
        append(c);
    }
    if (arg.length > 0) {
        args.push(arg.trim());
    }
    return args;
}
class ExecState extends external_events_.EventEmitter {
    constructor(options, toolPath) {
        super();
        this.processClosed = false; // tracks whether the process has exited and stdio is closed
        this.processError = '';
        this.processExitCode = 0;
        this.processExited = false; // tracks whether the process has exited
        this.processStderr = false; // tracks whether stderr was written to
        this.delay = 10000; // 10 seconds
        this.done = false;
        this.timeout = null;
        if (!toolPath) {
            throw new Error('toolPath must not be empty');
        }
        this.options = options;
        this.toolPath = toolPath;
        if (options.delay) {
            this.delay = options.delay;
        }
    }
    CheckComplete() {
        if (this.done) {
            return;
        }
        if (this.processClosed) {
            this._setResult();
        }
        else if (this.processExited) {
            this.timeout = (0,external_timers_namespaceObject.setTimeout)(ExecState.HandleTimeout, this.delay, this);
        }
    }
    _debug(message) {
        this.emit('debug', message);
    }
    _setResult() {
        // determine whether there is an error
        let error;
        if (this.processExited) {
            if (this.processError) {
                error = new Error(`There was an error when attempting to execute the process '${this.toolPath}'. This may indicate the process failed to start. Error: ${this.processError}`);
            }
            else if (this.processExitCode !== 0 && !this.options.ignoreReturnCode) {
                error = new Error(`The process '${this.toolPath}' failed with exit code ${this.processExitCode}`);
            }
            else if (this.processStderr && this.options.failOnStdErr) {
                error = new Error(`The process '${this.toolPath}' failed because one or more lines were written to the STDERR stream`);
            }
        }
        // clear the timeout
        if (this.timeout) {
            clearTimeout(this.timeout);
            this.timeout = null;
        }
        this.done = true;
        this.emit('done', error, this.processExitCode);
    }
    static HandleTimeout(state) {
        if (state.done) {
            return;
        }
        if (!state.processClosed && state.processExited) {
            const message = `The STDIO streams did not close within ${state.delay / 1000} seconds of the exit event from process '${state.toolPath}'. This may indicate a child process inherited the STDIO streams and has not yet exited.`;
            state._debug(message);
        }
        state._setResult();
    }
}
//# sourceMappingURL=toolrunner.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/exec/lib/exec.js
var exec_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


/**
 * Exec a command.
 * Output will be streamed to the live console.
 * Returns promise with return code
 *
 * @param     commandLine        command to execute (can include additional args). Must be correctly escaped.
 * @param     args               optional arguments for tool. Escaping is handled by the lib.
 * @param     options            optional exec options.  See ExecOptions
 * @returns   Promise<number>    exit code
 */
function exec(commandLine, args, options) {
    return exec_awaiter(this, void 0, void 0, function* () {
        const commandArgs = argStringToArray(commandLine);
        if (commandArgs.length === 0) {
            throw new Error(`Parameter 'commandLine' cannot be null or empty.`);
        }
        // Path to tool to execute should be first arg
        const toolPath = commandArgs[0];
        args = commandArgs.slice(1).concat(args || []);
        const runner = new ToolRunner(toolPath, args, options);
        return runner.exec();
    });
}
/**
 * Exec a command and get the output.
 * Output will be streamed to the live console.
 * Returns promise with the exit code and collected stdout and stderr
 *
 * @param     commandLine           command to execute (can include additional args). Must be correctly escaped.
 * @param     args                  optional arguments for tool. Escaping is handled by the lib.
 * @param     options               optional exec options.  See ExecOptions
 * @returns   Promise<ExecOutput>   exit code, stdout, and stderr
 */
function getExecOutput(commandLine, args, options) {
    return exec_awaiter(this, void 0, void 0, function* () {
        var _a, _b;
        let stdout = '';
        let stderr = '';
        //Using string decoder covers the case where a mult-byte character is split
        const stdoutDecoder = new external_string_decoder_.StringDecoder('utf8');
        const stderrDecoder = new external_string_decoder_.StringDecoder('utf8');
        const originalStdoutListener = (_a = options === null || options === void 0 ? void 0 : options.listeners) === null || _a === void 0 ? void 0 : _a.stdout;
        const originalStdErrListener = (_b = options === null || options === void 0 ? void 0 : options.listeners) === null || _b === void 0 ? void 0 : _b.stderr;
        const stdErrListener = (data) => {
            stderr += stderrDecoder.write(data);
            if (originalStdErrListener) {
                originalStdErrListener(data);
            }
        };
        const stdOutListener = (data) => {
            stdout += stdoutDecoder.write(data);
            if (originalStdoutListener) {
                originalStdoutListener(data);
            }
        };
        const listeners = Object.assign(Object.assign({}, options === null || options === void 0 ? void 0 : options.listeners), { stdout: stdOutListener, stderr: stdErrListener });
        const exitCode = yield exec(commandLine, args, Object.assign(Object.assign({}, options), { listeners }));
        //flush any remaining characters
        stdout += stdoutDecoder.end();
        stderr += stderrDecoder.end();
        return {
            exitCode,
            stdout,
            stderr
        };
    });
}
//# sourceMappingURL=exec.js.map
;// CONCATENATED MODULE: ./actions/terraform/src/terraform-cli.ts
/**
 * Running the Terraform CLI itself, through `@actions/exec` — never through
 * hashicorp/setup-terraform's wrapper, whose extra stdout lines break `terraform output`
 * and JSON (setup-terraform #20, #80, #85, #307).
 */




const SETUP_STEP = ['- uses: hashicorp/setup-terraform@v3', '  with:', '    terraform_wrapper: false'].join('\n');
/** A Terraform command failed: the command (secrets redacted) and the lines that explain why. */
class TerraformCommandError extends ActionFailure {
    command;
    exitCode;
    stderr;
    stdout;
    relevantLines;
    constructor(command, result, cwd) {
        const lines = relevantErrorLines(result.stderr, result.stdout);
        const headline = lines.find((l) => l.startsWith('Error: ')) ?? lines[0] ?? 'no error message';
        super('GANTRY-TERRAFORM-022', `${command} failed with exit code ${result.exitCode}: ${headline}`, [
            `command: ${command}`,
            `in: ${cwd}`,
            ...lines,
        ]);
        this.name = 'TerraformCommandError';
        this.command = command;
        this.exitCode = result.exitCode;
        this.stderr = result.stderr;
        this.stdout = result.stdout;
        this.relevantLines = lines;
    }
}
/**
 * The `Error:` diagnostics Terraform printed (each with its explanation), else the last lines
 * of stderr (or stdout when stderr is empty) — never nothing, so a failure is never swallowed.
 */
function relevantErrorLines(stderr, stdout = '', maxLines = 60) {
    const clean = (text) => text.split(/\r?\n/).map((l) => l.replace(/^[│╷╵]\s?/, '').trimEnd());
    const lines = clean(stderr);
    const picked = [];
    let inError = false;
    for (const line of lines) {
        if (/^Error: /.test(line))
            inError = true;
        else if (/^Warning: /.test(line))
            inError = false;
        if (inError)
            picked.push(line);
    }
    const chosen = picked.length > 0
        ? picked
        : tail(lines.filter((l) => l.trim() !== ''), 30);
    const fallback = chosen.length > 0
        ? chosen
        : tail(clean(stdout).filter((l) => l.trim() !== ''), 30);
    const trimmed = collapseBlankLines(fallback);
    return trimmed.length > maxLines ? [...trimmed.slice(0, maxLines), `… ${trimmed.length - maxLines} more lines`] : trimmed;
}
function tail(lines, count) {
    return lines.slice(Math.max(0, lines.length - count));
}
function collapseBlankLines(lines) {
    const result = [];
    for (const line of lines) {
        if (line.trim() === '' && (result.length === 0 || result[result.length - 1].trim() === ''))
            continue;
        result.push(line);
    }
    while (result.length > 0 && result[result.length - 1].trim() === '')
        result.pop();
    return result;
}
/**
 * `terraform` from PATH. When hashicorp/setup-terraform's wrapper is what PATH finds, its
 * sibling `terraform-bin` (the real binary) is used instead.
 */
/** The runner's credentials an action step's environment may carry. */
const RUNNER_TOKENS = new Set([
    'ACTIONS_RUNTIME_TOKEN',
    'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
    'ACTIONS_ID_TOKEN_REQUEST_URL',
    'ACTIONS_RUNTIME_URL',
    'ACTIONS_RESULTS_URL',
    'ACTIONS_CACHE_URL',
    'GITHUB_TOKEN',
    'GH_TOKEN',
]);
function findTerraform(env, log) {
    const names = process.platform === 'win32' ? ['terraform.exe', 'terraform'] : ['terraform'];
    for (const dir of (env.PATH ?? '').split((external_node_path_default()).delimiter).filter(Boolean)) {
        for (const name of names) {
            const candidate = external_node_path_default().join(dir, name);
            if (!isExecutableFile(candidate))
                continue;
            const real = external_node_path_default().join(dir, process.platform === 'win32' ? 'terraform-bin.exe' : 'terraform-bin');
            if ((0,external_node_fs_namespaceObject.existsSync)(real) && isExecutableFile(real)) {
                log?.info(`${candidate} is hashicorp/setup-terraform's wrapper; running ${real} directly (set terraform_wrapper: false to skip the wrapper).`);
                return real;
            }
            return candidate;
        }
    }
    throw new ActionFailure('GANTRY-TERRAFORM-023', `terraform was not found on PATH. Install it in an earlier step:\n${SETUP_STEP}`, [
        `PATH searched: ${env.PATH ?? '(unset)'}`,
    ]);
}
function isExecutableFile(file) {
    try {
        if (!(0,external_node_fs_namespaceObject.statSync)(file).isFile())
            return false;
        (0,external_node_fs_namespaceObject.accessSync)(file, external_node_fs_namespaceObject.constants.X_OK);
        return true;
    }
    catch {
        return false;
    }
}
class TerraformCli {
    binary;
    cwd;
    env;
    log;
    constructor(options) {
        this.binary = options.binary;
        this.cwd = options.cwd;
        this.log = options.log;
        this.env = {};
        for (const [key, value] of Object.entries(options.env)) {
            // The action's own inputs (the github-token among them) and the runner's tokens (artifact and cache
            // runtime, OIDC request) are none of Terraform's business. (A process of the same user can still
            // read this action's own /proc/<pid>/environ: where Terraform runs a pull request's code, the
            // workflow starts the action from an emptied environment, see pr-checks.yml.)
            if (value !== undefined && !key.startsWith('INPUT_') && !RUNNER_TOKENS.has(key))
                this.env[key] = value;
        }
        // Automation mode: no "run terraform apply next" hints, never a prompt waiting for stdin.
        this.env.TF_IN_AUTOMATION = '1';
        this.env.TF_INPUT = '0';
        // No update and security-bulletin check against checkpoint-api.hashicorp.com on every command.
        this.env.CHECKPOINT_DISABLE = '1';
    }
    /** Runs `terraform <args>`; a non-zero exit code outside `okExitCodes` throws TerraformCommandError. */
    async run(args, options = {}) {
        const shown = displayCommand(args);
        this.log.info(`$ ${shown}`);
        const result = await getExecOutput(this.binary, [...args], {
            cwd: this.cwd,
            env: this.env,
            silent: true,
            ignoreReturnCode: true,
            listeners: options.stream ? { stdline: (line) => this.log.info(line) } : undefined,
        });
        const ok = options.okExitCodes ?? [0];
        if (!ok.includes(result.exitCode))
            throw new TerraformCommandError(shown, result, this.cwd);
        // Warnings (deprecations, CLI configuration problems) go to stderr; show them, never drop them.
        if (options.logStderr !== false && result.stderr.trim() !== '')
            for (const line of result.stderr.trimEnd().split(/\r?\n/))
                this.log.info(line);
        return result;
    }
}
/**
 * The command as printed in the log and in errors. Backend configuration values can be
 * credentials (`access_key=…`), so only their keys are shown.
 */
function displayCommand(args) {
    const shown = args.map((arg) => {
        const backend = /^-backend-config=([A-Za-z_][\w.-]*)=/.exec(arg);
        const text = backend ? `-backend-config=${backend[1]}=***` : arg;
        return /[\s"'$`\\]/.test(text) ? `'${text.replace(/'/g, `'\\''`)}'` : text;
    });
    return ['terraform', ...shown].join(' ');
}

;// CONCATENATED MODULE: ./actions/terraform/src/commands.ts
/**
 * plan, apply and check: the Terraform command sequences, on an injected TerraformCli and
 * Logger. The saved plan is the unit of approval: plan hashes it, apply verifies the hash and
 * applies exactly that file (never a fresh plan).
 */








/**
 * `drift: 2 changes to apply (…)`, `drift: 1 output value change to apply (no resource
 * changes)`, or undefined when there is none.
 */
function driftMessage(outcome) {
    if (!outcome.changes)
        return undefined;
    const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
    if (outcome.drift === 0 && outcome.outputDrift > 0) {
        return `drift: ${plural(outcome.outputDrift, 'output value change')} to apply (no resource changes)`;
    }
    const outputs = outcome.outputDrift > 0 ? `; ${plural(outcome.outputDrift, 'output value')} change` : '';
    return `drift: ${plural(outcome.drift, 'change')} to apply (${describeCounts(outcome.summary.counts)}${outputs})`;
}
async function sha256File(file) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    for await (const chunk of (0,external_node_fs_namespaceObject.createReadStream)(file))
        hash.update(chunk);
    return hash.digest('hex');
}
function initArgs(settings) {
    // -reconfigure: a cached .terraform from another backend setting must never trigger a state migration.
    const args = ['init', '-input=false', '-no-color', '-reconfigure', `-lock-timeout=${settings.lockTimeoutSeconds}s`];
    for (const entry of settings.backendConfig) {
        args.push(entry.kind === 'value' ? `-backend-config=${entry.key}=${entry.value}` : `-backend-config=${entry.path}`);
    }
    return args;
}
/** `terraform init`, then select the workspace (creating it the first time). */
async function initialise(cli, settings, log) {
    await log.group('terraform init', async () => {
        await cli.run(initArgs(settings), { stream: true }).catch((err) => {
            // Terraform's own advice ("remove -input=false") is wrong in CI: explain instead.
            if (err instanceof TerraformCommandError && /state migration/i.test(err.stderr)) {
                throw new ActionFailure('GANTRY-TERRAFORM-001', `${err.message} The backend configuration differs from the one this directory's state was created with, ` +
                    'and gantry never migrates state implicitly. Pass the same backend-config as before, or migrate the state by hand (terraform init -migrate-state).', err.details);
            }
            throw err;
        });
        if (settings.workspace === undefined)
            return;
        const selected = await cli.run(['workspace', 'select', '-no-color', settings.workspace], { okExitCodes: [0, 1], logStderr: false });
        if (selected.exitCode === 0)
            return;
        if (!/doesn't exist|does not exist/i.test(selected.stderr + selected.stdout)) {
            throw new TerraformCommandError(`terraform workspace select ${settings.workspace}`, selected, cli.cwd);
        }
        log.info(`Workspace '${settings.workspace}' does not exist yet; creating it.`);
        await cli.run(['workspace', 'new', '-no-color', `-lock-timeout=${settings.lockTimeoutSeconds}s`, settings.workspace]);
    });
}
async function planTo(cli, settings, planFile, log) {
    await (0,promises_namespaceObject.mkdir)(external_node_path_default().dirname(planFile), { recursive: true });
    const args = [
        'plan',
        '-input=false',
        '-no-color',
        '-detailed-exitcode',
        `-lock-timeout=${settings.lockTimeoutSeconds}s`,
        `-out=${planFile}`,
    ];
    for (const file of settings.varFiles)
        args.push(`-var-file=${file}`);
    const planned = await log.group('terraform plan', () => cli.run(args, { stream: true, okExitCodes: [0, 2] }));
    const { summary, json } = await showPlan(cli, planFile);
    const planText = (await cli.run(['show', '-no-color', planFile])).stdout.trim();
    return { exitCode: planned.exitCode, summary, json, planText };
}
async function showPlan(cli, planFile) {
    const shown = await cli.run(['show', '-json', planFile]);
    try {
        return { summary: summarizePlan(parseTerraformJson(shown.stdout, 'terraform show -json')), json: shown.stdout };
    }
    catch (err) {
        // Never the output itself: the JSON plan holds every variable's value, sensitive ones included.
        throw new ActionFailure('GANTRY-TERRAFORM-002', `terraform show -json ${planFile} printed something that is not a plan: ${err.message}`, [`output: ${shown.stdout.length} characters, not shown (it holds variable values)`]);
    }
}
async function plan(cli, settings, planFile, log) {
    await initialise(cli, settings, log);
    const { exitCode, summary, json, planText } = await planTo(cli, settings, planFile, log);
    const jsonPlanFile = `${planFile}.json`;
    await (0,promises_namespaceObject.writeFile)(jsonPlanFile, json);
    const planHash = await sha256File(planFile);
    log.info(`Plan: ${describeCounts(summary.counts)}${exitCode === 2 && changeCount(summary.counts) === 0 ? ' (output values change)' : ''}.`);
    log.info(`Saved plan ${planFile} (sha256 ${planHash}); JSON plan ${jsonPlanFile}.`);
    return { exitCode, changes: exitCode === 2, summary, planText, planFile, jsonPlanFile, planHash };
}
/** A plan whose file is thrown away: for a drift check, only the differences matter. */
async function check(cli, settings, log, tempRoot = external_node_os_default().tmpdir()) {
    await initialise(cli, settings, log);
    const dir = await (0,promises_namespaceObject.mkdtemp)(external_node_path_default().join(tempRoot, 'gantry-drift-'));
    try {
        const { exitCode, summary, planText } = await planTo(cli, settings, external_node_path_default().join(dir, 'drift.tfplan'), log);
        const outcome = {
            exitCode,
            changes: exitCode === 2,
            summary,
            planText,
            planFile: undefined,
            jsonPlanFile: undefined,
            planHash: undefined,
            drift: changeCount(summary.counts),
            outputDrift: summary.outputs.length,
        };
        log.info(driftMessage(outcome) ?? 'No drift: the infrastructure matches the configuration.');
        return outcome;
    }
    finally {
        await (0,promises_namespaceObject.rm)(dir, { recursive: true, force: true });
    }
}
class PlanHashMismatch extends ActionFailure {
}
class StalePlan extends ActionFailure {
}
async function verifyPlanHash(planFile, expected) {
    const actual = await sha256File(planFile);
    if (expected !== undefined && actual !== expected) {
        throw new PlanHashMismatch('GANTRY-TERRAFORM-003', `Plan hash mismatch: ${planFile} has SHA-256 ${actual}, but expected-plan-hash is ${expected}. ` +
            'This is not the plan that was reviewed; nothing was applied. Apply the plan-file from the approved plan run, or plan again.');
    }
    return actual;
}
async function apply(cli, settings, planFile, expectedHash, log) {
    // Before anything else: a plan that is not the reviewed one must not even reach terraform.
    const planHash = await verifyPlanHash(planFile, expectedHash);
    log.info(expectedHash ? `Plan file hash verified: ${planHash}.` : `Plan file sha256 ${planHash} (no expected-plan-hash given to compare).`);
    if (settings.varFiles.length > 0)
        log.info('var-files are part of the saved plan already; they are not passed to apply.');
    await initialise(cli, settings, log);
    const { summary } = await showPlan(cli, planFile);
    const planText = (await cli.run(['show', '-no-color', planFile])).stdout.trim();
    log.info(`Applying the saved plan: ${describeCounts(summary.counts)}.`);
    try {
        await log.group('terraform apply', () => cli.run(['apply', '-input=false', '-no-color', `-lock-timeout=${settings.lockTimeoutSeconds}s`, planFile], { stream: true }));
    }
    catch (err) {
        if (err instanceof TerraformCommandError && /Saved plan is stale/i.test(err.stderr + err.stdout)) {
            throw new StalePlan('GANTRY-TERRAFORM-004', 'The saved plan is stale: the state changed after this plan was made and approved (another apply ran in between). ' +
                'Nothing was applied. Re-run the plan, review it again, and apply the new plan.', err.details);
        }
        throw err;
    }
    const outputs = await readOutputs(cli, log);
    return { summary, planText, planHash, outputs };
}
/** `terraform output -json`, with every sensitive value masked before anything is logged. */
async function readOutputs(cli, log) {
    const printed = await cli.run(['output', '-json', '-no-color']);
    const outputs = parseOutputs(parseTerraformJson(printed.stdout || '{}', 'terraform output -json'));
    for (const output of outputs)
        if (output.sensitive)
            for (const secret of secretStrings(output.value))
                log.secret(secret);
    for (const output of outputs) {
        log.info(`output ${output.name} = ${output.sensitive ? '(sensitive)' : JSON.stringify(output.value)}`);
    }
    return outputs;
}

;// CONCATENATED MODULE: ./lib/runner/inputs.ts
/**
 * Typed readers over the runner's input contract: the runner passes `with:` values as
 * environment variables `INPUT_<NAME>` (upper case, spaces to `_`, hyphens kept).
 * Reading from a plain env object keeps the logic free of `@actions/core` and lets tests
 * set inputs the way the runner does. Every reader throws one `InputError` naming the input.
 */



function inputEnvName(name) {
    return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}
class InputReader {
    env;
    constructor(env = process.env) {
        this.env = env;
    }
    /** The trimmed raw value, '' when absent (the runner's convention). A NUL character is refused (never shown). */
    raw(name) {
        const value = (this.env[inputEnvName(name)] ?? '').trim();
        if (value.includes('\0'))
            throw new NulCharacterError(name, value);
        return value;
    }
    has(name) {
        return this.raw(name) !== '';
    }
    optional(name) {
        const value = this.raw(name);
        return value === '' ? undefined : value;
    }
    required(name, expected = 'a non-empty value') {
        const value = this.raw(name);
        if (value === '')
            throw new errors_InputError('GANTRY-INPUT-001', name, undefined, expected);
        return value;
    }
    /** Only `true` or `false` (any case); anything else is an error, never silently false. */
    boolean(name, defaultValue) {
        const value = this.raw(name);
        if (value === '')
            return defaultValue;
        const lower = value.toLowerCase();
        if (lower === 'true')
            return true;
        if (lower === 'false')
            return false;
        throw new errors_InputError('GANTRY-INPUT-002', name, value, "'true' or 'false'");
    }
    integer(name, options = {}) {
        const value = this.raw(name);
        if (value === '') {
            if (options.default === undefined)
                throw new errors_InputError('GANTRY-INPUT-003', name, undefined, describeRange('an integer', options));
            return options.default;
        }
        if (!/^[+-]?\d+$/.test(value))
            throw new errors_InputError('GANTRY-INPUT-003', name, value, describeRange('an integer', options));
        const parsed = Number(value);
        if (!Number.isSafeInteger(parsed) || outOfRange(parsed, options)) {
            throw new errors_InputError('GANTRY-INPUT-003', name, value, describeRange('an integer', options));
        }
        return parsed;
    }
    /** A duration in whole seconds: `90`, `90s`, `15m` or `1h`. */
    seconds(name, options = {}) {
        const value = this.raw(name);
        const expected = describeRange('a number of seconds (e.g. 90, 90s, 15m)', options);
        if (value === '') {
            if (options.default === undefined)
                throw new errors_InputError('GANTRY-INPUT-004', name, undefined, expected);
            return options.default;
        }
        const match = /^(\d+)\s*(s|m|h)?$/i.exec(value);
        if (!match)
            throw new errors_InputError('GANTRY-INPUT-004', name, value, expected);
        const unit = (match[2] ?? 's').toLowerCase();
        const seconds = Number(match[1]) * (unit === 'h' ? 3600 : unit === 'm' ? 60 : 1);
        if (outOfRange(seconds, options))
            throw new errors_InputError('GANTRY-INPUT-004', name, value, expected);
        return seconds;
    }
    /** One value per line; blank lines and lines starting with `#` are skipped. */
    list(name) {
        return splitLines(this.raw(name));
    }
    /**
     * Multi-line `KEY=VALUE`. Values may contain `=`; keys must be unique. Errors show the line's
     * number and its key (or its length), never a value: these lists often carry credentials.
     */
    keyValues(name, keyPattern = /^[A-Za-z_][A-Za-z0-9_.-]*$/) {
        const result = new Map();
        this.list(name).forEach((line, index) => {
            const eq = line.indexOf('=');
            const key = eq > 0 ? line.slice(0, eq).trim() : '';
            if (eq <= 0 || !keyPattern.test(key)) {
                throw new errors_InputError('GANTRY-INPUT-005', name, `line ${index + 1}${lineStart(line).startsWith('(') ? ' ' : ': '}${lineStart(line)}`, `lines of the form KEY=VALUE with KEY matching ${keyPattern}`);
            }
            if (result.has(key))
                throw new errors_InputError('GANTRY-INPUT-006', name, `line ${index + 1}: ${key}=…`, `each key at most once ('${key}' is repeated)`);
            result.set(key, line.slice(eq + 1).trim());
        });
        return result;
    }
    /** An ECS cluster or service: a name (1–255 letters, digits, '-' and '_') or an ARN, checked before any AWS call. */
    ecsNameOrArn(name, what) {
        const value = this.required(name, `an ECS ${what} name or ARN`);
        if (!ECS_NAME.test(value) && !ECS_ARN.test(value)) {
            throw new errors_InputError('GANTRY-INPUT-007', name, value, `an ECS ${what} name (1 to 255 letters, digits, '-' and '_') or ARN`);
        }
        return value;
    }
    choice(name, choices, defaultValue) {
        const value = this.raw(name);
        const expected = `one of ${choices.map((c) => `'${c}'`).join(', ')}`;
        if (value === '') {
            if (defaultValue === undefined)
                throw new errors_InputError('GANTRY-INPUT-008', name, undefined, expected);
            return defaultValue;
        }
        const found = choices.find((c) => c === value);
        if (!found)
            throw new errors_InputError('GANTRY-INPUT-008', name, value, expected);
        return found;
    }
    file(name, options = {}) {
        const value = this.raw(name);
        if (value === '') {
            if (options.required)
                throw new errors_InputError('GANTRY-INPUT-009', name, undefined, 'a path to a file in the workspace');
            return undefined;
        }
        return resolveWorkspaceFile(name, value, options.workspace ?? workspaceDir(this.env));
    }
}
function workspaceDir(env = process.env) {
    return external_node_path_default().resolve(env.GITHUB_WORKSPACE || process.cwd());
}
/** `..config/x` is inside; `../x` and `/elsewhere` are not. */
function isInside(dir, candidate) {
    const relative = external_node_path_default().relative(dir, candidate);
    return relative !== '..' && !relative.startsWith(`..${(external_node_path_default()).sep}`) && !external_node_path_default().isAbsolute(relative);
}
function resolveWorkspaceFile(name, value, workspace, kind = 'file') {
    const absolute = external_node_path_default().resolve(workspace, value);
    if (!isInside(workspace, absolute))
        throw new errors_InputError('GANTRY-INPUT-010', name, value, `a path inside the workspace ${workspace}`);
    if (!(0,external_node_fs_namespaceObject.existsSync)(absolute))
        throw new errors_InputError('GANTRY-INPUT-011', name, value, `an existing ${kind} (not found at ${absolute})`);
    // A symbolic link inside the workspace may point anywhere: judge where it leads.
    if (!isInside((0,external_node_fs_namespaceObject.realpathSync)(workspace), (0,external_node_fs_namespaceObject.realpathSync)(absolute))) {
        throw new errors_InputError('GANTRY-INPUT-012', name, value, `a path inside the workspace ${workspace} (it is a link to ${(0,external_node_fs_namespaceObject.realpathSync)(absolute)})`);
    }
    const stat = (0,external_node_fs_namespaceObject.statSync)(absolute);
    if (kind === 'file' ? !stat.isFile() : !stat.isDirectory()) {
        throw new errors_InputError('GANTRY-INPUT-013', name, value, `a ${kind}, but ${absolute} is not one`);
    }
    return absolute;
}
/**
 * A path the action will write (terraform's plan-file): inside the workspace like every path
 * input, judged by where it really leads — the nearest existing directory above it, and the file
 * itself when it exists (a link planted in the workspace could point anywhere). It need not exist.
 */
function resolveWorkspaceOutputPath(name, value, workspace) {
    const absolute = external_node_path_default().resolve(workspace, value);
    if (!isInside(workspace, absolute))
        throw new errors_InputError('GANTRY-INPUT-010', name, value, `a path inside the workspace ${workspace}`);
    let existing = absolute;
    while (!lexists(existing) && external_node_path_default().dirname(existing) !== existing)
        existing = external_node_path_default().dirname(existing);
    // A dangling link (it points at nothing yet) would still be written through: judge its target.
    const real = (0,external_node_fs_namespaceObject.existsSync)(existing) ? (0,external_node_fs_namespaceObject.realpathSync)(existing) : external_node_path_default().resolve(external_node_path_default().dirname(existing), (0,external_node_fs_namespaceObject.readlinkSync)(existing));
    if (!isInside((0,external_node_fs_namespaceObject.realpathSync)(workspace), real)) {
        throw new errors_InputError('GANTRY-INPUT-014', name, value, `a path inside the workspace ${workspace} (${existing === absolute ? 'it is' : `its directory ${existing} is`} a link to ${real})`);
    }
    return absolute;
}
function lexists(file) {
    try {
        (0,external_node_fs_namespaceObject.lstatSync)(file);
        return true;
    }
    catch {
        return false;
    }
}
/** A NUL cannot come from the runner's environment, but can from a file or an escape: never pass one on. */
class NulCharacterError extends errors_InputError {
    constructor(input, value) {
        super('GANTRY-INPUT-015', input, undefined, 'text without NUL characters');
        this.message = `Input '${input}' has a NUL character at position ${value.indexOf('\0') + 1} (the value is not shown): expected text without NUL characters.`;
    }
}
/**
 * How a malformed line is shown: its key when it starts with a name followed by `=` or `:`
 * (`DATABASE_URL: postgres://…` → `DATABASE_URL…`), else only its length — a line without a
 * separator may be a pasted credential, and no part of it is echoed.
 */
function lineStart(line) {
    const key = /^([A-Za-z_][A-Za-z0-9_.-]{0,63})\s*[=:]/.exec(line)?.[1];
    return key === undefined ? `(${line.length} characters, not shown: it may hold a secret)` : `${key}…`;
}
const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ECS_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:[a-z-]+\/[A-Za-z0-9_/-]{1,512}$/;
function splitLines(value) {
    return value
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#'));
}
function outOfRange(value, { min, max }) {
    return (min !== undefined && value < min) || (max !== undefined && value > max);
}
function describeRange(what, { min, max }) {
    if (min !== undefined && max !== undefined)
        return `${what} from ${min} to ${max}`;
    if (min !== undefined)
        return `${what} of at least ${min}`;
    if (max !== undefined)
        return `${what} of at most ${max}`;
    return what;
}
/** An ECS name (cluster, service) or ARN, as `InputReader.ecsNameOrArn` accepts it (for values inside documents). */
function isEcsNameOrArn(value) {
    return ECS_NAME.test(value) || ECS_ARN.test(value);
}

// EXTERNAL MODULE: ./node_modules/semver/functions/valid.js
var valid = __nccwpck_require__(8780);
;// CONCATENATED MODULE: ./lib/ecs/metadata.ts
/**
 * Release metadata from the runner's environment, and version normalisation.
 * The tag names here are the contract between deploy-ecs, rollback and the workflows
 * (see docs/infra/architecture.md).
 */
// Only the parser: semver's index loads every function and class (≈ 80 KB of each bundle's start).


const TAG = {
    gitSha: 'gantry:git-sha',
    version: 'gantry:version',
    environment: 'gantry:environment',
    runUrl: 'gantry:run-url',
    actor: 'gantry:actor',
    previous: 'gantry:previous',
    status: 'gantry:status',
    deployedAt: 'gantry:deployed-at',
    rollbackReason: 'gantry:rollback-reason',
    /** sha256:… of the image deployed, so the next environment deploys exactly it (release-gate record). */
    imageDigest: 'gantry:image-digest',
    /** The promotion gate's verdict for this deploy: not-required, proven, overridden. */
    promotion: 'gantry:promotion',
    overrideReason: 'gantry:override-reason',
    /** A random token per deploy-ecs run: a retried registration finds the revision it already made. */
    runToken: 'gantry:run-token',
};
function runnerContext(env = process.env) {
    const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
    const repository = env.GITHUB_REPOSITORY || undefined;
    const runId = env.GITHUB_RUN_ID || undefined;
    return {
        gitSha: env.GITHUB_SHA || undefined,
        ref: env.GITHUB_REF || undefined,
        repository,
        serverUrl,
        runId,
        runUrl: repository && runId ? `${serverUrl}/${repository}/actions/runs/${runId}` : undefined,
        actor: env.GITHUB_ACTOR || undefined,
        sourceUrl: repository ? `${serverUrl}/${repository}` : undefined,
    };
}
const SHA = /^[0-9a-f]{7,40}$/;
/** A git SHA of 7 to 40 lower-case hex characters (upper case is accepted and lowered). */
function normalizeGitSha(value, inputName = 'git-sha') {
    const lower = value.trim().toLowerCase();
    if (!SHA.test(lower))
        throw new InputError('GANTRY-ECS-001', inputName, value, 'a git commit SHA of 7 to 40 hexadecimal characters');
    return lower;
}
/** `v1.2.3` → `1.2.3`, `1.2.3+build.7` → `1.2.3`; undefined when the text is not a semantic version. */
function parseVersion(value) {
    return validSemver(value.trim().replace(/^v(?=\d)/, '')) ?? undefined;
}
/** `v1.2.3` → `1.2.3`; anything that is not semver is an input error. */
function normalizeVersion(value, inputName = 'version') {
    const valid = parseVersion(value);
    if (!valid)
        throw new InputError('GANTRY-ECS-002', inputName, value, 'a semantic version such as 1.2.3 or v1.2.3-rc.1');
    return valid;
}

;// CONCATENATED MODULE: ./actions/terraform/src/inputs.ts
/**
 * Every input of actions/terraform, parsed and validated before Terraform runs.
 * Relative paths resolve against the workspace (GITHUB_WORKSPACE); var files and backend
 * configuration files may also be given relative to `working-directory`.
 */






const COMMANDS = ['plan', 'apply', 'check', 'comment'];
const WORKSPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,89}$/;
const BACKEND_KEY_VALUE = /^([A-Za-z_][A-Za-z0-9_.-]*)\s*=(.*)$/;
const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);
const DEFAULT_PLAN_FILE = 'tfplan';
function getInputs(env = process.env) {
    const reader = new InputReader(env);
    const workspace = workspaceDir(env);
    const command = reader.choice('command', COMMANDS);
    if (command === 'comment')
        return getCommentInputs(reader, env, workspace);
    const workingDirectory = resolveWorkspaceFile('working-directory', reader.required('working-directory', 'the directory of the Terraform configuration'), workspace, 'directory');
    const varFiles = reader.list('var-files').map((line) => resolveConfigFile('var-files', line, workspace, workingDirectory));
    const backendConfig = reader.list('backend-config').map((line, index) => {
        const pair = BACKEND_KEY_VALUE.exec(line);
        if (pair)
            return { kind: 'value', key: pair[1], value: pair[2].trim() };
        return { kind: 'file', path: resolveBackendFile(line, index, workspace, workingDirectory) };
    });
    const workspaceName = reader.optional('workspace');
    if (workspaceName !== undefined && !WORKSPACE_NAME.test(workspaceName)) {
        throw new errors_InputError('GANTRY-TERRAFORM-005', 'workspace', workspaceName, 'a Terraform workspace name: letters, digits, `-`, `_` and `.`, at most 90 characters');
    }
    const lockTimeout = reader.seconds('lock-timeout-seconds', { default: 300, min: 0, max: 86_400 });
    const planFile = readPlanFile(reader, command, workspace, workingDirectory);
    const expectedHash = readExpectedHash(reader, command);
    const pullRequestEvent = PULL_REQUEST_EVENTS.has(env.GITHUB_EVENT_NAME ?? '');
    const wantsComment = reader.boolean('comment-on-pull-request', pullRequestEvent);
    let commentSkippedBecause;
    if (wantsComment && command !== 'plan')
        commentSkippedBecause = `command '${command}' does not comment (only plan does)`;
    else if (wantsComment && !pullRequestEvent)
        commentSkippedBecause = `the event is '${env.GITHUB_EVENT_NAME ?? 'unknown'}', not pull_request`;
    const comment = wantsComment && commentSkippedBecause === undefined;
    const token = reader.optional('github-token');
    if (comment && token === undefined) {
        throw new errors_InputError('GANTRY-TERRAFORM-006', 'github-token', undefined, "a token allowed to write pull-request comments (or set comment-on-pull-request: 'false')");
    }
    const commentFileValue = reader.optional('comment-file');
    if (commentFileValue !== undefined && command !== 'plan')
        throw new errors_InputError('GANTRY-TERRAFORM-007', 'comment-file', commentFileValue, "no value unless command is 'plan' or 'comment'");
    const runner = runnerContext(env);
    const context = {
        workspaceDir: workspace,
        displayDirectory: external_node_path_default().relative(workspace, workingDirectory).split((external_node_path_default()).sep).join('/') || '.',
        pullRequest: comment ? readPullRequest(env) : undefined,
        commentSkippedBecause,
        apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
        runUrl: runner.runUrl,
        gitSha: runner.gitSha,
    };
    return {
        inputs: {
            command,
            'working-directory': workingDirectory,
            'var-files': varFiles,
            'backend-config': backendConfig,
            workspace: workspaceName,
            'lock-timeout-seconds': lockTimeout,
            'plan-file': planFile,
            'expected-plan-hash': expectedHash,
            'comment-on-pull-request': comment,
            'github-token': token,
            'comment-file': commentFileValue === undefined ? undefined : external_node_path_default().resolve(workspace, commentFileValue),
        },
        context,
    };
}
/**
 * `comment`: post a comment file another job wrote (the plan job, which holds no token). The job
 * running this checks out no application code, so working-directory is only the label of the marker.
 */
function getCommentInputs(reader, env, workspace) {
    const directory = reader.required('working-directory', 'the directory of the Terraform configuration (the label of the comment)');
    const displayDirectory = external_node_path_default().posix
        .normalize(directory.split((external_node_path_default()).sep).join('/'))
        .replace(/^\.\/(?=.)/, '')
        .replace(/\/+$/, '') || '.';
    if (displayDirectory.startsWith('../') || external_node_path_default().posix.isAbsolute(displayDirectory)) {
        throw new errors_InputError('GANTRY-TERRAFORM-008', 'working-directory', directory, 'a directory relative to the workspace');
    }
    const workspaceName = reader.optional('workspace');
    if (workspaceName !== undefined && !WORKSPACE_NAME.test(workspaceName)) {
        throw new errors_InputError('GANTRY-TERRAFORM-005', 'workspace', workspaceName, 'a Terraform workspace name: letters, digits, `-`, `_` and `.`, at most 90 characters');
    }
    const commentFile = resolveWorkspaceFile('comment-file', reader.required('comment-file', 'the comment file the plan job wrote (its artifact)'), workspace);
    const token = reader.optional('github-token');
    if (token === undefined)
        throw new errors_InputError('GANTRY-TERRAFORM-009', 'github-token', undefined, 'a token allowed to write pull-request comments');
    if (!PULL_REQUEST_EVENTS.has(env.GITHUB_EVENT_NAME ?? '')) {
        throw new errors_InputError('GANTRY-TERRAFORM-010', 'command', 'comment', `a pull_request event (this one is '${env.GITHUB_EVENT_NAME ?? 'unknown'}')`);
    }
    const runner = runnerContext(env);
    return {
        inputs: {
            command: 'comment',
            'working-directory': external_node_path_default().resolve(workspace, displayDirectory),
            'var-files': [],
            'backend-config': [],
            workspace: workspaceName,
            'lock-timeout-seconds': 300,
            'plan-file': undefined,
            'expected-plan-hash': undefined,
            'comment-on-pull-request': true,
            'github-token': token,
            'comment-file': commentFile,
        },
        context: {
            workspaceDir: workspace,
            displayDirectory,
            pullRequest: readPullRequest(env),
            commentSkippedBecause: undefined,
            apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
            runUrl: runner.runUrl,
            gitSha: runner.gitSha,
        },
    };
}
/** Relative to the workspace first (like every gantry path), then to the working directory. */
function resolveConfigFile(name, value, workspace, workingDirectory) {
    for (const base of [workspace, workingDirectory]) {
        const candidate = external_node_path_default().resolve(base, value);
        if ((0,external_node_fs_namespaceObject.existsSync)(candidate))
            return resolveWorkspaceFile(name, candidate, workspace);
    }
    throw new errors_InputError('GANTRY-TERRAFORM-011', name, value, `an existing file (looked in ${workspace} and ${workingDirectory})`);
}
/**
 * A backend-config line that is not KEY=VALUE must be a file. It is never echoed: a mistyped
 * line is likely a credential (`access_key: AKIA…`), so the error gives its position and length.
 */
function resolveBackendFile(line, index, workspace, workingDirectory) {
    const where = `line ${index + 1} (${line.length} characters, not shown: backend settings are often credentials)`;
    try {
        return resolveConfigFile('backend-config', line, workspace, workingDirectory);
    }
    catch (err) {
        if (!(err instanceof errors_InputError))
            throw err;
        const file = /^an existing file/.test(err.expected)
            ? `an existing backend configuration file (looked in ${workspace} and ${workingDirectory})`
            : `a backend configuration file inside the workspace ${workspace}`;
        throw new errors_InputError('GANTRY-TERRAFORM-012', 'backend-config', where, `KEY=VALUE, or the path of ${file}`);
    }
}
/**
 * The backend-config values to mask before anything is logged: they are often credentials.
 * Booleans, numbers and values shorter than MIN_MASKED_LENGTH are left alone: masking `true` or `1`
 * would blank out half the log, and the runner drops any output holding a masked value.
 */
function backendSecrets(config) {
    const values = config.flatMap((entry) => (entry.kind === 'value' ? [entry.value] : []));
    return [...new Set(values)].filter((v) => v.length >= MIN_MASKED_LENGTH && !/^(true|false)$/i.test(v) && !/^[+-]?\d+(\.\d+)?$/.test(v));
}
/**
 * What to mask and redact of the backend-config values: each value and each of its `/`-separated
 * parts of 8 characters or more, because Terraform's errors quote a part (`mkdir /state/<part>: …`).
 */
function backendRedactions(config) {
    const values = backendSecrets(config);
    const parts = values.flatMap((value) => value.split('/').filter((part) => part.length >= 8 && part !== value));
    return [...new Set([...values, ...parts])];
}
function readPlanFile(reader, command, workspace, workingDirectory) {
    const value = reader.optional('plan-file');
    if (command === 'check') {
        if (value !== undefined)
            throw new errors_InputError('GANTRY-TERRAFORM-013', 'plan-file', value, "no value with command 'check' (a drift check keeps no plan)");
        return undefined;
    }
    if (command === 'apply') {
        if (value === undefined)
            throw new errors_InputError('GANTRY-TERRAFORM-014', 'plan-file', undefined, "the saved plan to apply (the plan-file output of command 'plan')");
        return resolveWorkspaceFile('plan-file', value, workspace);
    }
    // Written, with its JSON (which holds every planned value, secrets included), so confined like a file read.
    const absolute = value === undefined ? external_node_path_default().join(workingDirectory, DEFAULT_PLAN_FILE) : resolveWorkspaceOutputPath('plan-file', value, workspace);
    if ((0,external_node_fs_namespaceObject.existsSync)(absolute) && !(0,external_node_fs_namespaceObject.statSync)(absolute).isFile()) {
        throw new errors_InputError('GANTRY-TERRAFORM-015', 'plan-file', value, `a file path to write the plan to, but ${absolute} is a directory`);
    }
    return absolute;
}
function readExpectedHash(reader, command) {
    const value = reader.optional('expected-plan-hash');
    if (value === undefined) {
        // Applying a plan nobody's hash vouches for would apply whatever file is there.
        if (command === 'apply')
            throw new errors_InputError('GANTRY-TERRAFORM-016', 'expected-plan-hash', undefined, "the SHA-256 of the reviewed plan (the plan-hash output of 'plan'): apply applies only a plan it can verify");
        return undefined;
    }
    if (command !== 'apply')
        throw new errors_InputError('GANTRY-TERRAFORM-017', 'expected-plan-hash', value, "no value unless command is 'apply'");
    const hex = value.replace(/^sha256:/i, '').toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hex))
        throw new errors_InputError('GANTRY-TERRAFORM-018', 'expected-plan-hash', value, 'a SHA-256 of 64 hexadecimal characters (the plan-hash output of plan)');
    return hex;
}
function readPullRequest(env) {
    const eventPath = env.GITHUB_EVENT_PATH;
    let event;
    try {
        event = JSON.parse((0,external_node_fs_namespaceObject.readFileSync)(eventPath ?? '', 'utf8'));
    }
    catch (err) {
        throw new ActionFailure('GANTRY-TERRAFORM-019', `Cannot read the pull_request event payload from GITHUB_EVENT_PATH (${eventPath ?? 'unset'}): ${err.message}`);
    }
    const record = (event ?? {});
    const number = record.pull_request?.number ?? record.number;
    const fullName = env.GITHUB_REPOSITORY || (typeof record.repository?.full_name === 'string' ? record.repository.full_name : '');
    const [owner, repo] = fullName.split('/');
    if (typeof number !== 'number' || !Number.isInteger(number) || !owner || !repo) {
        throw new ActionFailure('GANTRY-TERRAFORM-020', `The ${env.GITHUB_EVENT_NAME} event payload has no pull request number or repository; cannot comment.`);
    }
    return { owner, repo, number };
}

;// CONCATENATED MODULE: ./actions/terraform/src/pr-comment.ts
/**
 * One plan comment per working directory and workspace, updated in place: the comment is
 * found by its author (the token's identity) and the hidden marker on its first line, so re-running a
 * plan never adds another and nobody else's comment is taken for it.
 */

/**
 * gantry's own comment: written by the token's identity and carrying `marker` on its first line (the
 * newest if a race left two). The marker alone proves nothing: anyone can post a comment that starts
 * with it ("No changes"), and that comment must never be taken for the plan.
 */
function findMarkedComment(comments, marker, author) {
    const marked = comments.filter((c) => c.author === author && c.body.split(/\r?\n/, 1)[0].trim() === marker);
    return marked[marked.length - 1];
}
/**
 * Creates or updates the comment. A failure to comment (e.g. the read-only token of a pull
 * request from a fork) is a warning, not a failed plan: the plan is in the job summary.
 */
async function upsertComment(api, marker, body, log) {
    try {
        const author = await api.identity();
        const existing = findMarkedComment(await api.list(), marker, author);
        if (existing) {
            await api.update(existing.id, body);
            log.info(`Updated the plan comment ${existing.id} on the pull request.`);
            return { action: 'updated', id: existing.id };
        }
        const created = await api.create(body);
        log.info(`Commented the plan on the pull request (comment ${created.id}).`);
        return { action: 'created', id: created.id };
    }
    catch (err) {
        log.warning(`Could not comment the plan on the pull request: ${describeError(err)}. ` +
            'The token needs `pull-requests: write` (pull requests from forks only get a read-only token). The plan is in the job summary.');
        return { action: 'failed', id: undefined };
    }
}

;// CONCATENATED MODULE: ./actions/terraform/src/scrub.ts
/**
 * Known secret shapes, replaced before a plan comment is posted. GitHub masks registered secrets in
 * logs, never in what is posted through the API: a plan that prints a token (an output, a resource
 * attribute, an error) would publish it on the pull request. This is the second line of defence — the
 * first is that the plan job holds no token at all (docs/infra/workflows.md, "Chain of custody"); a
 * value encoded some other way (base64 of a whole environment block) is not recognised here.
 */
const SHAPES = [
    ['GitHub token', /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,255}\b/g],
    ['GitHub token', /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g],
    ['AWS access key id', /\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b/g],
    ['AWS session token', /\b(?:IQoJb3JpZ2lu|FwoGZXIvYXdz)[A-Za-z0-9+/=]{20,}/g],
    ['AWS secret access key', /((?:aws_secret_access_key|AWS_SECRET_ACCESS_KEY|SecretAccessKey)["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{40}\b/g],
    ['JSON web token', /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g],
];
function scrubSecrets(text) {
    const found = {};
    let out = text;
    for (const [kind, pattern] of SHAPES) {
        out = out.replace(pattern, (_match, prefix) => {
            found[kind] = (found[kind] ?? 0) + 1;
            return `${typeof prefix === 'string' ? prefix : ''}[redacted ${kind}]`;
        });
    }
    return { text: out, found };
}

;// CONCATENATED MODULE: ./lib/util/markdown.ts
/** Markdown helpers for job summaries and comments (pure; no toolkit). */
function escapeCell(value) {
    const text = value === undefined || value === null || value === '' ? '—' : String(value);
    return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}
function markdownTable(headers, rows) {
    // An empty header cell stays empty (a key/value table has no column titles).
    const head = `| ${headers.map((h) => (h === '' ? ' ' : escapeCell(h))).join(' | ')} |`;
    const rule = `| ${headers.map(() => '---').join(' | ')} |`;
    const body = rows.map((row) => `| ${headers.map((_, i) => escapeCell(row[i])).join(' | ')} |`);
    return [head, rule, ...body].join('\n');
}
/** A two-column key/value table, the usual shape of a summary's header. */
function keyValueTable(entries) {
    return markdownTable(['', ''], entries.map(([k, v]) => [`**${k}**`, v]));
}
function details(summary, body) {
    return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}
function codeBlock(text, lang = '') {
    const fence = text.includes('```') ? '````' : '```';
    return `${fence}${lang}\n${text}\n${fence}`;
}
/** Truncate to at most `max` characters (UTF-16 units) on a line boundary, with a note. */
function truncateText(text, max, note = (omitted) => `… ${omitted} more characters omitted`) {
    if (text.length <= max)
        return text;
    const reserve = 80;
    let cut = text.lastIndexOf('\n', Math.max(0, max - reserve));
    if (cut <= 0)
        cut = Math.max(0, max - reserve);
    return `${text.slice(0, cut)}\n${note(text.length - cut)}`;
}
function formatDuration(ms) {
    const seconds = Math.round(ms / 1000);
    if (seconds < 60)
        return `${seconds}s`;
    const minutes = Math.floor(seconds / 60);
    return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
}

;// CONCATENATED MODULE: ./actions/terraform/src/summary.ts
/**
 * The plan as markdown, for the job summary (at most 1 MiB per step) and the pull-request
 * comment (at most 65,536 characters). Oversized plans are shortened here, on purpose and
 * with a note, instead of letting GitHub reject the comment (dflook #133, #197). Pure.
 */


/** GitHub rejects comment bodies over 65,536 characters; a margin keeps us clear of it. */
const COMMENT_LIMIT_CHARS = 65_000;
/** The job summary of one step may hold 1 MiB (1,048,576 bytes). */
const SUMMARY_LIMIT_BYTES = 1_000_000;
const measureChars = (text) => text.length;
const measureBytes = (text) => Buffer.byteLength(text, 'utf8');
const ACTION_LABEL = {
    delete: '🔴 **delete**',
    replace: '🟠 **replace**',
    forget: '⚪ forget',
    update: '🟡 update',
    create: '🟢 create',
    import: '🔵 import',
    read: '🔵 read',
    'no-op': 'no-op',
};
/** The hidden first line that identifies gantry's comment for one directory and workspace. */
function commentMarker(directory, workspace) {
    // Encoded so no directory name can close the HTML comment early or fake another marker.
    const safe = (value) => encodeURIComponent(value).replace(/%2F/g, '/');
    return `<!-- gantry:terraform dir=${safe(directory)} workspace=${safe(workspace)} -->`;
}
function renderSummary(report) {
    return renderReport(report, {
        limit: SUMMARY_LIMIT_BYTES,
        measure: measureBytes,
        shortenedNote: '> [!NOTE]\n> The plan is longer than a job summary can hold (1 MiB), so it is shortened here. ' +
            'The complete plan is in the `plan-file` and `json-plan-file` outputs (upload them as an artifact).',
    });
}
function commentMarkdown(report, marker) {
    const where = report.runUrl ? `[job summary](${report.runUrl})` : 'job summary';
    return renderReport(report, {
        marker,
        limit: COMMENT_LIMIT_CHARS,
        measure: measureChars,
        shortenedNote: `> [!NOTE]\n> This plan is too long for a pull-request comment (GitHub allows 65,536 characters), so it is shortened here. The full plan is in the ${where}.`,
    });
}
function renderReport(report, options) {
    const rows = report.summary.resources.map((r) => [ACTION_LABEL[r.action], `\`${r.address}\``, r.reason?.replace(/_/g, ' ')]);
    const full = assemble(report, options.marker, rows, report.planText, undefined);
    if (options.measure(full) <= options.limit)
        return full;
    // Shortened: the header always stays, the table gets up to 40% of what is left, the plan text the rest.
    const base = options.measure(assemble(report, options.marker, [], undefined, options.shortenedNote));
    const tableBudget = Math.max(0, Math.floor((options.limit - base) * 0.4));
    const keptRows = [];
    let used = 0;
    for (const row of rows) {
        const cost = options.measure(markdownTable(['Action', 'Resource', 'Reason'], [row])) -
            options.measure(markdownTable(['Action', 'Resource', 'Reason'], []));
        if (used + cost > tableBudget)
            break;
        keptRows.push(row);
        used += cost;
    }
    if (keptRows.length < rows.length)
        keptRows.push(['…', `${rows.length - keptRows.length} more resources not shown`, '']);
    const withoutPlan = options.measure(assemble(report, options.marker, keptRows, '', options.shortenedNote));
    const planBudget = options.limit - withoutPlan - 200;
    const planText = planBudget > 500 ? truncateToFit(report.planText, planBudget, options.measure) : undefined;
    const shortened = assemble(report, options.marker, keptRows, planText, options.shortenedNote);
    // Only a pathological heading could still be too long; a hard cut then is better than a rejected comment.
    return options.measure(shortened) <= options.limit ? shortened : truncateToFit(shortened, options.limit, options.measure);
}
function assemble(report, marker, rows, planText, note) {
    const parts = [];
    if (marker)
        parts.push(marker);
    const where = [`\`${report.directory}\``, report.workspace === 'default' ? undefined : `workspace \`${report.workspace}\``]
        .filter(Boolean)
        .join(' · ');
    parts.push(`### ${report.heading} · ${where}`);
    parts.push(report.verdict ?? planVerdict(report));
    const destroyed = report.summary.counts.destroy + report.summary.counts.replace;
    if (destroyed > 0) {
        const what = [
            report.summary.counts.destroy > 0 ? `destroys ${plural(report.summary.counts.destroy, 'resource')}` : undefined,
            report.summary.counts.replace > 0
                ? `replaces ${plural(report.summary.counts.replace, 'resource')} (destroy and re-create)`
                : undefined,
        ].filter(Boolean);
        parts.push(`> [!WARNING]\n> This plan ${what.join(' and ')}. Review the highlighted rows before approving.`);
    }
    const meta = [
        report.gitSha ? `commit \`${report.gitSha.slice(0, 12)}\`` : undefined,
        report.planHash ? `plan sha256 \`${report.planHash.slice(0, 16)}…\`` : undefined,
        report.runUrl ? `[workflow run](${report.runUrl})` : undefined,
    ].filter(Boolean);
    if (meta.length > 0)
        parts.push(meta.join(' · '));
    if (note)
        parts.push(note);
    if (rows.length > 0)
        parts.push(markdownTable(['Action', 'Resource', 'Reason'], rows));
    if (report.summary.outputs.length > 0) {
        const list = report.summary.outputs.map((o) => `\`${o.name}\` (${o.action}${o.sensitive ? ', sensitive' : ''})`);
        parts.push(`**Output changes:** ${list.join(', ')}`);
    }
    if (report.outputs && report.outputs.length > 0)
        parts.push(outputsTable(report.outputs));
    if (planText !== undefined && planText.trim() !== '')
        parts.push(details('Show the plan', codeBlock(planText)));
    return `${parts.join('\n\n')}\n`;
}
function planVerdict(report) {
    const counts = report.summary.counts;
    if (changeCount(counts) > 0)
        return `**Plan:** ${describeCounts(counts)}.`;
    if (report.changes && report.summary.outputs.length > 0)
        return '**Plan:** only output values change.';
    if (report.changes)
        return `**Plan:** ${describeCounts(counts)}.`;
    return '**No changes.** The infrastructure matches the configuration.';
}
function outputsTable(outputs) {
    const rows = outputs.map((o) => {
        if (o.sensitive)
            return [`\`${o.name}\``, '*(sensitive)*'];
        const text = typeof o.value === 'string' ? o.value : JSON.stringify(o.value);
        const shown = text.length > 300 ? `${text.slice(0, 300)}…` : text;
        return [`\`${o.name}\``, `\`${shown.replace(/`/g, "'").replace(/\r?\n/g, ' ')}\``];
    });
    return markdownTable(['Output', 'Value'], rows);
}
function plural(count, noun) {
    return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
/** Cut `text` so that it (with a one-line note) measures at most `max`, on a line boundary when possible. */
function truncateToFit(text, max, measure) {
    if (measure(text) <= max)
        return text;
    const note = (omitted) => `\n… ${omitted} more characters not shown`;
    const room = Math.max(0, max - measure(note(text.length)));
    let cut = Math.min(text.length, room);
    while (cut > 0 && measure(text.slice(0, cut)) > room)
        cut = Math.floor(cut * 0.95);
    const newline = text.lastIndexOf('\n', cut);
    if (newline > cut * 0.8)
        cut = newline;
    // Never split a surrogate pair.
    if (cut > 0 && /[\uD800-\uDBFF]/.test(text[cut - 1]))
        cut -= 1;
    return `${text.slice(0, cut)}${note(text.length - cut)}`;
}
/** The summary of a failed run: the command and the lines that explain it. */
function renderErrorSummary(heading, directory, message, detailLines) {
    const body = detailLines.length > 0 ? `\n\n${codeBlock(truncateToFit(detailLines.join('\n'), 200_000, measureBytes))}` : '';
    return `### ❌ ${heading} failed · \`${directory}\`\n\n${message}${body}\n`;
}

;// CONCATENATED MODULE: ./actions/terraform/src/main.ts












const HEADINGS = {
    plan: 'Terraform plan',
    apply: 'Terraform apply',
    check: 'Terraform drift check',
    comment: 'Terraform plan comment',
};
async function main() {
    const { inputs, context } = getInputs();
    const log = coreLogger;
    // Before anything is logged: backend-config values are often credentials (access keys, tokens).
    const secrets = backendRedactions(inputs['backend-config']);
    for (const secret of secrets)
        log.secret(secret);
    const settings = {
        varFiles: inputs['var-files'],
        backendConfig: inputs['backend-config'],
        workspace: inputs.workspace,
        lockTimeoutSeconds: inputs['lock-timeout-seconds'],
    };
    const cli = new TerraformCli({ binary: findTerraform(process.env, log), cwd: inputs['working-directory'], env: process.env, log });
    const report = (outcome) => ({
        heading: HEADINGS[inputs.command],
        directory: context.displayDirectory,
        workspace: inputs.workspace ?? 'default',
        summary: outcome.summary,
        changes: outcome.changes,
        planText: outcome.planText,
        planHash: outcome.planHash,
        gitSha: context.gitSha,
        runUrl: context.runUrl,
    });
    const countOutputs = (outcome) => ({
        changes: outcome.changes,
        add: outcome.summary.counts.add,
        change: outcome.summary.counts.change,
        destroy: outcome.summary.counts.destroy,
        replace: outcome.summary.counts.replace,
    });
    // Terraform's errors quote backend settings (a state path, a bucket, a key): the runner masks
    // the log, not the summary, so a failure's summary block is redacted here.
    const failureSummary = (err) => {
        if (!(err instanceof ActionFailure))
            return {};
        const lines = err instanceof TerraformCommandError ? [`$ ${err.command}`, ...err.relevantLines] : err.details;
        return {
            summary: renderErrorSummary(HEADINGS[inputs.command], context.displayDirectory, `${err.code}: ${redact(err.message, secrets)}`, lines.map((line) => redact(line, secrets))),
        };
    };
    try {
        if (inputs.command === 'comment') {
            // The file comes from a job that ran the pull request's Terraform: data, never trusted. The marker is
            // this job's own (a marker inside the file is just text), and known secret shapes are scrubbed.
            await reportOutcome(async () => {
                const marker = commentMarker(context.displayDirectory, inputs.workspace ?? 'default');
                const raw = (await (0,promises_namespaceObject.readFile)(inputs['comment-file'], 'utf8')).replace(/^<!--[^\n]*-->\r?\n/, '');
                const { text, found } = scrubSecrets(raw);
                const scrubbed = Object.entries(found)
                    .map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`)
                    .join(', ');
                if (scrubbed)
                    log.warning(`The plan comment held what looks like secrets (${scrubbed}); they were replaced before posting. Find out how the plan printed them.`, { title: 'Secrets scrubbed from the plan comment' });
                const body = `${marker}\n${text}`.slice(0, 65_000);
                const { githubCommentApi } = await Promise.all(/* import() */[__nccwpck_require__.e(413), __nccwpck_require__.e(844)]).then(__nccwpck_require__.bind(__nccwpck_require__, 3844));
                const api = githubCommentApi(inputs['github-token'], context.apiUrl, context.pullRequest);
                await upsertComment(api, marker, body, log);
            }, { report: () => ({}), reportError: failureSummary });
            return;
        }
        if (inputs.command === 'plan') {
            const outcome = await reportOutcome(() => plan(cli, settings, inputs['plan-file'], log), {
                report: (outcome) => ({
                    outputs: {
                        exitcode: outcome.exitCode,
                        ...countOutputs(outcome),
                        'plan-file': outcome.planFile,
                        'json-plan-file': outcome.jsonPlanFile,
                        'plan-hash': outcome.planHash,
                    },
                    summary: renderSummary(report(outcome)),
                }),
                reportError: failureSummary,
            });
            // After the summary: a failure from here on leaves the plan's summary as it is.
            if (context.commentSkippedBecause)
                log.info(`No pull-request comment: ${context.commentSkippedBecause}.`);
            if (inputs['comment-file']) {
                const marker = commentMarker(context.displayDirectory, inputs.workspace ?? 'default');
                await (0,promises_namespaceObject.mkdir)(external_node_path_default().dirname(inputs['comment-file']), { recursive: true });
                await (0,promises_namespaceObject.writeFile)(inputs['comment-file'], commentMarkdown(report(outcome), marker), 'utf8');
                log.info(`Wrote the pull-request comment to ${inputs['comment-file']} (posted by a job that runs no pull-request code).`);
            }
            if (inputs['comment-on-pull-request'] && context.pullRequest && inputs['github-token']) {
                const marker = commentMarker(context.displayDirectory, inputs.workspace ?? 'default');
                // Loaded only when commenting: Octokit is most of the bundle, and most runs never need it.
                const { githubCommentApi } = await Promise.all(/* import() */[__nccwpck_require__.e(413), __nccwpck_require__.e(844)]).then(__nccwpck_require__.bind(__nccwpck_require__, 3844));
                const api = githubCommentApi(inputs['github-token'], context.apiUrl, context.pullRequest);
                await upsertComment(api, marker, commentMarkdown(report(outcome), marker), log);
            }
        }
        else if (inputs.command === 'check') {
            await reportOutcome(() => check(cli, settings, log, process.env.RUNNER_TEMP || undefined), {
                report: (outcome) => {
                    const drift = driftMessage(outcome);
                    const verdict = drift
                        ? `**${drift.replace(/^drift/, 'Drift')}.**`
                        : '**No drift.** The infrastructure matches the configuration.';
                    return {
                        outputs: { exitcode: outcome.exitCode, ...countOutputs(outcome) },
                        summary: renderSummary({ ...report(outcome), verdict }),
                        failure: drift ? new ActionFailure('GANTRY-TERRAFORM-021', `${drift}; the job summary lists them`) : undefined,
                    };
                },
                reportError: failureSummary,
            });
        }
        else {
            const planFile = inputs['plan-file'];
            await reportOutcome(() => apply(cli, settings, planFile, inputs['expected-plan-hash'], log), {
                report: (outcome) => {
                    const changes = outcome.summary.resources.length > 0 || outcome.summary.outputs.length > 0;
                    const visible = Object.fromEntries(outcome.outputs.filter((o) => !o.sensitive).map((o) => [o.name, o.value]));
                    const verdict = `**Applied:** ${describeApplied(outcome.summary.counts)}.`;
                    return {
                        outputs: {
                            exitcode: 0,
                            ...countOutputs({ ...outcome, changes }),
                            'plan-file': planFile,
                            'plan-hash': outcome.planHash,
                            outputs: JSON.stringify(visible),
                        },
                        summary: renderSummary({ ...report({ ...outcome, changes }), verdict, outputs: outcome.outputs }),
                    };
                },
                reportError: failureSummary,
            });
        }
    }
    catch (err) {
        // The log is masked by the runner too; this keeps the annotation and detail lines clean anywhere.
        if (err instanceof ActionFailure)
            throw new ActionFailure(err.code, redact(err.message, secrets), err.details.map((line) => redact(line, secrets)));
        if (err instanceof Error)
            err.message = redact(err.message, secrets);
        throw err;
    }
}
/** The entrypoint: main() inside the one try/catch (actions/typescript-action's shape; `npx @github/local-action` calls it). */
function main_run() {
    return run(main);
}

;// CONCATENATED MODULE: ./actions/terraform/src/index.ts

void main_run();

