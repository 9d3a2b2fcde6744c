import type { NextRequest } from 'next/server';
import { NextResponse } from 'next/server';
import { prisma } from '@/lib/prisma';
import { searchKnowledgeBase, type KnowledgeSnippet } from '@/lib/rag';
import { readJson } from '@/lib/request';
import { getSessionUser, unauthorized } from '@/lib/session';
import { createLineSplitter } from '@/lib/genie/line-splitter';

const FALLBACK_MESSAGE = '죄송합니다. 현재 AI 서비스가 일시적으로 사용 불가합니다. 잠시 후 다시 시도해주세요.';

type ProductSummary = {
  name: string;
  description: string;
  price: number;
};

type GeminiStreamChunk = {
  candidates?: { content?: { parts?: { text?: string }[] }; finishReason?: string }[];
  usageMetadata?: { promptTokenCount?: number; candidatesTokenCount?: number };
};

function buildSystemPrompt(userName: string, knowledge: KnowledgeSnippet[], products: ProductSummary[]) {
  const articles = knowledge.map((article) => `### ${article.title}\n${article.content}`).join('\n\n');
  const productList = products
    .map((product) => `- ${product.name} (${product.price.toLocaleString('ko-KR')}원): ${product.description}`)
    .join('\n');

  return [
    '당신은 크루즈 여행객을 돕는 "크루즈 가이드 지니"입니다. 친절하고 정확하게 한국어로 답변하세요.',
    `사용자 이름: ${userName}`,
    articles ? `참고 자료:\n${articles}` : '',
    productList ? `인기 상품:\n${productList}` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}

export async function POST(request: NextRequest) {
  const user = await getSessionUser(request);
  if (!user) return unauthorized();

  const body = await readJson(request);
  const userQuery = typeof body?.message === 'string' ? body.message : '';
  if (!userQuery.trim()) {
    return NextResponse.json({ error: '메시지를 입력해주세요.' }, { status: 400 });
  }

  const knowledge = await searchKnowledgeBase(userQuery, 3);
  const popularProducts = await prisma.cruiseProduct.findMany({
    orderBy: { popularity: 'desc' },
    take: 5,
  });

  const model = process.env.GEMINI_MODEL ?? 'gemini-2.0-flash';
  const baseUrl = (process.env.GEMINI_BASE_URL ?? 'https://generativelanguage.googleapis.com').replace(/\/+$/, '');
  const url = `${baseUrl}/v1beta/models/${model}:streamGenerateContent?alt=sse`;
  const payload = {
    systemInstruction: { parts: [{ text: buildSystemPrompt(user.name, knowledge, popularProducts) }] },
    contents: [{ role: 'user', parts: [{ text: userQuery }] }],
    generationConfig: { temperature: 0.7 },
  };

  const encoder = new TextEncoder();
  const upstream = new AbortController();
  let clientGone = false;

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (part: string) => {
        if (!clientGone) controller.enqueue(encoder.encode(part));
      };
      let sentText = false;
      const usage = { promptTokens: 0, completionTokens: 0 };

      try {
        send(`f:${JSON.stringify({ messageId: `msg-${crypto.randomUUID()}` })}\n`);

        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'x-goog-api-key': process.env.GEMINI_API_KEY ?? '',
          },
          body: JSON.stringify(payload),
          signal: upstream.signal,
        });

        if (!response.ok || !response.body) {
          console.error(`Gemini API error: ${response.status} ${response.statusText}`);
          send(`0:${JSON.stringify(FALLBACK_MESSAGE)}\n`);
          send(`d:${JSON.stringify({ finishReason: 'error' })}\n`);
          return;
        }

        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        const bufferLines = createLineSplitter(); // raw SSE text from Gemini
        while (true) {
          const { done, value } = await reader.read();
          if (done) break;
          for (const event of bufferLines.push(decoder.decode(value, { stream: true }).replace(/\r/g, ''))) {
            if (event === '') continue; // events arrive line by line; blank lines only separate them
            for (const line of event.split('\n')) {
              if (!line.startsWith('data:')) continue;
              try {
                const chunk = JSON.parse(line.slice(5).trim()) as GeminiStreamChunk;
                for (const part of chunk.candidates?.[0]?.content?.parts ?? []) {
                  if (part.text) {
                    send(`0:${JSON.stringify(part.text)}\n`);
                    sentText = true;
                  }
                }
                if (chunk.usageMetadata) {
                  usage.promptTokens = chunk.usageMetadata.promptTokenCount ?? usage.promptTokens;
                  usage.completionTokens = chunk.usageMetadata.candidatesTokenCount ?? usage.completionTokens;
                }
              } catch {
                // skip a malformed event and keep streaming
              }
            }
          }
        }

        send(`e:${JSON.stringify({ finishReason: 'stop', usage, isContinued: false })}\n`);
        send(`d:${JSON.stringify({ finishReason: 'stop', usage })}\n`);
      } catch (error) {
        console.error('Gemini stream failed:', error);
        if (sentText) {
          send(`3:${JSON.stringify('응답을 받는 중 오류가 발생했습니다.')}\n`);
        } else {
          send(`0:${JSON.stringify(FALLBACK_MESSAGE)}\n`);
        }
        send(`d:${JSON.stringify({ finishReason: 'error' })}\n`);
      } finally {
        if (!clientGone) controller.close();
      }
    },
    cancel() {
      clientGone = true;
      upstream.abort();
    },
  });

  return new Response(stream, {
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'x-vercel-ai-data-stream': 'v1',
    },
  });
}
