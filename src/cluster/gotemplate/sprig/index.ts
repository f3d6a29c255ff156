// sprig v3.2.3's TxtFuncMap, assembled from the function groups.

import type { FuncDef } from '../value.js';
import { dateFuncs } from './dates.js';
import { defaultFuncs } from './defaults.js';
import { dictFuncs } from './dicts.js';
import { listFuncs } from './lists.js';
import { mathFuncs } from './math.js';
import { miscFuncs } from './misc.js';
import { regexFuncs } from './regex.js';
import { semverFuncs } from './semver.js';
import { stringFuncs } from './strings.js';
import { urlFuncs } from './url.js';

export const sprigFuncs: Readonly<Record<string, FuncDef>> = {
  ...stringFuncs,
  ...mathFuncs,
  ...listFuncs,
  ...dictFuncs,
  ...defaultFuncs,
  ...miscFuncs,
  ...regexFuncs,
  ...semverFuncs,
  ...urlFuncs,
  ...dateFuncs,
};
